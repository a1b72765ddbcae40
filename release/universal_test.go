package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/verify"
)

// darwinEnv builds both darwin platforms of the test module.
var darwinEnv = []string{"KILN_MATRIX=darwin/amd64,darwin/arm64,windows/amd64", "KILN_VERSION=1.2.3", "SOURCE_DATE_EPOCH=1700000000"}

// universalSettings join the darwin builds, the universal archive beside
// the per-arch ones.
func universalSettings() Settings {
	s := windowsSettings()
	s.Universal = "beside"
	return s
}

// TestUniversal: with Universal on, crossall joins the darwin builds into
// one universal binary recorded in the manifest; a second crossall joins
// nothing; verify checks every slice and shows each slice's signature;
// package ships its archive beside the per-arch ones ("beside") or alone
// ("alone"); and two clean runs give the same bytes for every darwin and
// windows artifact.
func TestUniversal(t *testing.T) {
	dir := testModule(t)
	s := universalSettings()
	out := mustRunS(t, dir, s, darwinEnv, (*Plan).Build)
	if !strings.Contains(out, "joined") || !strings.Contains(out, "darwin/universal") {
		t.Errorf("crossall did not say it joined the universal binary:\n%s", out)
	}
	dist := filepath.Join(dir, "dist")
	m, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	uni := m.Filter(artifact.ByKind(artifact.Universal))
	if len(uni) != 1 || uni[0].Path != "tool_darwin_universal/tool" || uni[0].Version != "v1.2.3" || !uni[0].Static {
		t.Fatalf("universal entries %+v, want tool_darwin_universal/tool at v1.2.3, static", uni)
	}
	rep, err := verify.ReadFile(filepath.Join(dist, "tool_darwin_universal", "tool"))
	if err != nil || rep.Format != "macho-universal" || len(rep.Slices) != 2 {
		t.Fatalf("the universal binary: %+v, %v", rep, err)
	}

	before := modTimes(t, dist)
	out = mustRunS(t, dir, s, darwinEnv, (*Plan).Build)
	if !strings.Contains(out, "0 built, 3 up to date") || !strings.Contains(out, "up to date darwin/universal") {
		t.Errorf("a second crossall built or joined something:\n%s", out)
	}
	for path, mt := range modTimes(t, dist) {
		if !strings.HasPrefix(filepath.Base(path), ".") && !before[path].Equal(mt) && filepath.Base(path) != artifact.FileName {
			t.Errorf("a second crossall rewrote %s", path)
		}
	}

	out = mustRunS(t, dir, s, darwinEnv, (*Plan).Verify)
	for _, want := range []string{"darwin/universal", "amd64 unsigned; arm64 ad-hoc signed", "verify: 4 binaries ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	mustRunS(t, dir, s, darwinEnv, (*Plan).Package)
	if out := mustRunS(t, dir, s, darwinEnv, (*Plan).Verify); strings.Contains(out, "note:") {
		t.Errorf("verify after package did not check every SBOM, the universal binary's included:\n%s", out)
	}
	first := distFiles(t, dist)
	for _, name := range []string{"tool_1.2.3_darwin_universal.tar.gz", "tool_1.2.3_darwin_amd64.tar.gz", "tool_1.2.3_darwin_arm64.tar.gz",
		"tool_1.2.3_darwin_universal_tool.spdx.json", "tool_1.2.3_windows_amd64.zip"} {
		if first[name] == nil {
			t.Errorf("package wrote no %s", name)
		}
	}
	if sums := string(first["tool_1.2.3_checksums.txt"]); !strings.Contains(sums, "  tool_darwin_universal/tool\n") {
		t.Errorf("the checksums do not list the universal binary:\n%s", sums)
	}

	// Two clean runs, the same bytes.
	if err := os.RemoveAll(dist); err != nil {
		t.Fatal(err)
	}
	mustRunS(t, dir, s, darwinEnv, (*Plan).Build)
	mustRunS(t, dir, s, darwinEnv, (*Plan).Verify)
	mustRunS(t, dir, s, darwinEnv, (*Plan).Package)
	sameFiles(t, first, distFiles(t, dist))

	// Alone: the universal archive replaces the per-arch ones.
	s.Universal = "alone"
	mustRunS(t, dir, s, darwinEnv, (*Plan).Package)
	alone := distFiles(t, dist)
	for name, want := range map[string]bool{"tool_1.2.3_darwin_universal.tar.gz": true, "tool_1.2.3_darwin_amd64.tar.gz": false,
		"tool_1.2.3_darwin_arm64_tool.spdx.json": false, "tool_1.2.3_windows_amd64.zip": true} {
		if got := alone[name] != nil; got != want {
			t.Errorf("Universal alone: %s written %v, want %v", name, got, want)
		}
	}
	if sums := string(alone["tool_1.2.3_checksums.txt"]); strings.Contains(sums, "tool_darwin_arm64/tool") || !strings.Contains(sums, "tool_darwin_universal/tool") {
		t.Errorf("Universal alone: checksums list\n%s", sums)
	}
}

// TestUniversalRefused: a universal binary that does not join the
// manifest's builds, or whose arm64 slice lost its signature, fails
// verify with the reason; a darwin/arm64 binary whose signature was
// stripped after the build fails verify saying macOS kills it.
func TestUniversalRefused(t *testing.T) {
	dir := testModule(t)
	s := universalSettings()
	env := []string{"KILN_MATRIX=darwin/amd64,darwin/arm64", "KILN_VERSION=1.2.3"}
	mustRunS(t, dir, s, env, (*Plan).Build)
	dist := filepath.Join(dir, "dist")
	arm := filepath.Join(dist, "tool_darwin_arm64", "tool")
	signed, err := os.ReadFile(arm)
	if err != nil {
		t.Fatal(err)
	}

	// A post-processing step drops the signature and records the new
	// bytes in the manifest, as a tool that knows kiln's manifest would.
	stripped := stripCodeSignature(t, signed)
	if err := os.WriteFile(arm, stripped, 0o755); err != nil {
		t.Fatal(err)
	}
	rerecord(t, dist, "tool_darwin_arm64/tool")
	out, err := runS(t, dir, s, env, (*Plan).Verify)
	if err == nil {
		t.Fatalf("verify of a darwin/arm64 binary without its signature passed:\n%s", out)
	}
	for _, want := range []string{"tool darwin/arm64", "no code signature", "macOS on Apple silicon kills unsigned arm64 programs",
		"universal binary: it joins other builds"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("verify error lacks %q:\n%v", want, err)
		}
	}
	if !strings.Contains(out, "darwin/arm64") || !strings.Contains(out, " unsigned ") {
		t.Errorf("the verify table does not show the unsigned binary:\n%s", out)
	}

	// Joined again from the stripped build (crossall would rebuild it):
	// its arm64 slice fails.
	mustRunS(t, dir, s, env, (*Plan).JoinUniversal)
	_, err = runS(t, dir, s, env, (*Plan).Verify)
	if err == nil || !strings.Contains(err.Error(), "tool darwin/universal") || !strings.Contains(err.Error(), "arm64 slice has no code signature") {
		t.Errorf("verify of a universal binary with an unsigned arm64 slice = %v, want the slice named", err)
	}
	if _, err := runS(t, dir, s, env, (*Plan).Package); err == nil || !strings.Contains(err.Error(), "refusing to package") || !strings.Contains(err.Error(), "no code signature") {
		t.Errorf("package after the failed verify = %v, want a refusal", err)
	}
}

// rerecord updates the manifest entry of rel to its file's bytes.
func rerecord(t *testing.T, dist, rel string) {
	t.Helper()
	m, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := findPath(m, rel)
	if !ok {
		t.Fatalf("no %s in the manifest", rel)
	}
	if a, err = artifact.Describe(dist, a); err != nil {
		t.Fatal(err)
	}
	m.Put(a)
	if err := m.Save(dist); err != nil {
		t.Fatal(err)
	}
}

// stripCodeSignature returns a copy of a thin 64-bit Mach-O without its
// LC_CODE_SIGNATURE load command (testtool.RemoveCodeSignature).
func stripCodeSignature(t *testing.T, data []byte) []byte {
	t.Helper()
	out, err := testtool.RemoveCodeSignature(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
