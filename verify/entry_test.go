package verify

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/universal"
)

// entryDir is an output directory holding files at rel paths, each with
// its manifest entry described (size and sha256 filled).
func entryDir(t *testing.T, files map[string][]byte) string {
	t.Helper()
	out := t.TempDir()
	for rel, data := range files {
		p := filepath.Join(out, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func described(t *testing.T, out string, a artifact.Artifact) artifact.Artifact {
	t.Helper()
	a, err := artifact.Describe(out, a)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestEntry: a binary entry passes against its own file, and fails naming
// what disagrees: the file (missing, outside the directory, changed, not
// an executable), the claim (platform, main package) or what extra adds.
func TestEntry(t *testing.T) {
	t.Parallel()
	linux, windows := mustRead(t, bin(t, "static")), mustRead(t, bin(t, "win-amd64"))
	out := entryDir(t, map[string][]byte{
		"p_linux_amd64/hello":       linux,
		"p_windows_amd64/hello.exe": windows,
		"p_linux_amd64/notes":       []byte("not a program\n"),
	})
	if err := os.Symlink("../../outside", filepath.Join(out, "p_linux_amd64", "link")); err != nil {
		t.Fatal(err)
	}
	rep, err := Read(bytes.NewReader(linux))
	if err != nil {
		t.Fatal(err)
	}
	main := rep.Main
	good := described(t, out, artifact.Artifact{Path: "p_linux_amd64/hello", Kind: artifact.Binary, Name: "hello",
		OS: "linux", Arch: "amd64", Main: main, Static: true})
	win := described(t, out, artifact.Artifact{Path: "p_windows_amd64/hello.exe", Kind: artifact.Binary, Name: "hello",
		OS: "windows", Arch: "amd64", Main: main, Static: true})
	manifest := func(w *Expect) { w.Manifest = true }
	with := func(a artifact.Artifact, change func(*artifact.Artifact)) artifact.Artifact {
		change(&a)
		return a
	}
	tests := []struct {
		name     string
		a        artifact.Artifact
		extra    func(*Expect)
		errs     []string
		reported bool // a Report comes back
	}{
		{"its file", good, nil, nil, true},
		{"a windows file, nothing extra", win, nil, nil, true},
		{"a windows file without the manifest extra wants", win, manifest, []string{"application manifest: file has none, want present"}, true},
		{"another arch", with(good, func(a *artifact.Artifact) { a.Arch = "arm64" }), nil, []string{"arch: file has amd64, want arm64", "filed under linux/arm64"}, true},
		{"cgo claimed", with(good, func(a *artifact.Artifact) { a.Cgo = true }), nil, []string{"build info CGO_ENABLED: file has 0, want 1"}, true},
		{"another main package", with(good, func(a *artifact.Artifact) { a.Main = "example.com/other" }), nil,
			[]string{"build info main package: file has " + main + ", want example.com/other"}, true},
		{"changed", with(good, func(a *artifact.Artifact) { a.SHA256 = strings.Repeat("0", 64) }), nil,
			[]string{"sha256 " + good.SHA256 + " does not match the manifest's " + strings.Repeat("0", 64) + ": the file changed after it was built (run crossall again)"}, true},
		{"missing", with(good, func(a *artifact.Artifact) { a.Path = "p_linux_amd64/gone" }), nil, []string{"missing or refused (run crossall again)"}, false},
		{"outside", with(good, func(a *artifact.Artifact) { a.Path = "../hello" }), nil, []string{"missing or refused (run crossall again)"}, false},
		{"through a link out", with(good, func(a *artifact.Artifact) { a.Path = "p_linux_amd64/link" }), nil, []string{"missing or refused (run crossall again)"}, false},
		{"not an executable", described(t, out, with(good, func(a *artifact.Artifact) { a.Path = "p_linux_amd64/notes" })), nil, []string{"not an executable"}, false},
	}
	for _, tt := range tests {
		real, rep, err := Entry(out, tt.a, tt.extra)
		if (rep != nil) != tt.reported {
			t.Errorf("%s: Entry's report = %v, want one: %v", tt.name, rep, tt.reported)
		}
		if tt.errs == nil {
			if err != nil {
				t.Errorf("%s: Entry = %v, want nil", tt.name, err)
			}
			if want, _ := filepath.EvalSymlinks(filepath.Join(out, tt.a.Path)); real != want {
				t.Errorf("%s: Entry's file = %q, want %q", tt.name, real, want)
			}
			continue
		}
		for _, want := range tt.errs {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: Entry = %v, want it to say %q", tt.name, err, want)
			}
		}
	}
}

// TestJoinedEntry: a universal binary's entry passes against its file and
// the builds it joins, and fails when its file changed or it disagrees
// with them.
func TestJoinedEntry(t *testing.T) {
	t.Parallel()
	var fat bytes.Buffer
	if _, err := universal.Join(&fat, mustRead(t, bin(t, "darwin-amd64")), mustRead(t, bin(t, "darwin-arm64"))); err != nil {
		t.Fatal(err)
	}
	out := entryDir(t, map[string][]byte{"p_darwin_universal/hello": fat.Bytes()})
	r, err := Read(bytes.NewReader(fat.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	main := r.Slices[0].Main
	a := described(t, out, artifact.Artifact{Path: "p_darwin_universal/hello", Kind: artifact.Universal, Name: "hello",
		OS: "darwin", Arch: "universal", Main: main, Static: true})
	part := func(arch string, cgo bool) artifact.Artifact {
		return artifact.Artifact{Kind: artifact.Binary, OS: "darwin", Arch: arch, Main: main, Static: true, Cgo: cgo}
	}
	parts := []artifact.Artifact{part("amd64", false), part("arm64", false)}
	if real, rep, err := JoinedEntry(out, a, parts); err != nil || rep == nil || real == "" {
		t.Errorf("JoinedEntry of its builds = %q, %v, %v; want the file, a report and nil", real, rep, err)
	}
	if _, _, err := JoinedEntry(out, a, []artifact.Artifact{part("amd64", true), part("arm64", true)}); err == nil ||
		!strings.Contains(err.Error(), "build info CGO_ENABLED: file has 0, want 1") {
		t.Errorf("JoinedEntry of cgo builds = %v, want the cgo mismatch", err)
	}
	changed := a
	changed.Size++
	if _, rep, err := JoinedEntry(out, changed, parts); err == nil || rep == nil || !strings.Contains(err.Error(), "the file changed after it was built") {
		t.Errorf("JoinedEntry of a changed file = %v (report %v), want the sha256 refused", err, rep)
	}
	gone := a
	gone.Path = "p_darwin_universal/gone"
	if _, rep, err := JoinedEntry(out, gone, parts); err == nil || rep != nil || !strings.Contains(err.Error(), "missing or refused") {
		t.Errorf("JoinedEntry of a missing file = %v (report %v), want it refused", err, rep)
	}
}

// TestUniversalEntry: a universal binary's entry passes when it joins the
// binary's current builds in the manifest, and is refused with the target
// that fixes it when it joins other builds or those are not current.
func TestUniversalEntry(t *testing.T) {
	t.Parallel()
	out := entryDir(t, map[string][]byte{
		"p_darwin_amd64/hello": mustRead(t, bin(t, "darwin-amd64")),
		"p_darwin_arm64/hello": mustRead(t, bin(t, "darwin-arm64")),
	})
	stale := ""
	b := universal.Binary{Name: "hello", Path: func(pl matrix.Platform) string { return "p_" + pl.OS + "_" + pl.Arch + "/hello" },
		Current: func(artifact.Artifact) string { return stale }}
	m := &artifact.Manifest{}
	for _, pl := range universal.Platforms {
		rep, err := ReadFile(filepath.Join(out, filepath.FromSlash(b.Path(pl))))
		if err != nil {
			t.Fatal(err)
		}
		m.Put(described(t, out, artifact.Artifact{Path: b.Path(pl), Kind: artifact.Binary, Name: "hello", OS: pl.OS, Arch: pl.Arch,
			Main: rep.Main, Static: true}))
	}
	parts, why := b.Parts(m)
	if why != "" {
		t.Fatal(why)
	}
	a, _, err := b.Join(out, m, parts)
	if err != nil {
		t.Fatal(err)
	}
	m.Put(a)
	if real, rep, err := UniversalEntry(out, m, b, a); err != nil || rep == nil || real == "" {
		t.Errorf("UniversalEntry of the joined builds = %q, %v, %v; want the file, a report and nil", real, rep, err)
	}

	other := &artifact.Manifest{Artifacts: slices.Clone(m.Artifacts)}
	arm := parts[1]
	arm.SHA256 = strings.Repeat("0", 64)
	other.Put(arm)
	if _, rep, err := UniversalEntry(out, other, b, a); rep != nil || err == nil ||
		err.Error() != "universal binary: it joins other builds of darwin/amd64 and darwin/arm64 than the manifest's (run mage crossall)" {
		t.Errorf("UniversalEntry of other builds = %v (report %v), want it refused", err, rep)
	}
	stale = "built at version v0.9.0, not v1.0.0"
	if _, rep, err := UniversalEntry(out, m, b, a); rep != nil || err == nil ||
		err.Error() != "universal binary: hello darwin/amd64: built at version v0.9.0, not v1.0.0 (run mage crossall)" {
		t.Errorf("UniversalEntry of builds not current = %v (report %v), want it refused", err, rep)
	}
}

// TestPassed: only an entry whose recorded verify result passed ships.
func TestPassed(t *testing.T) {
	for _, tt := range []struct {
		name string
		v    *artifact.VerifyResult
		want error
	}{
		{"passed", &artifact.VerifyResult{OK: true}, nil},
		{"not verified", nil, errors.New("not verified (run mage verify)")},
		{"failed", &artifact.VerifyResult{Problems: []string{"a", "b"}}, errors.New("failed verify: a; b (fix it, rebuild and verify again)")},
	} {
		got := Passed(artifact.Artifact{Verify: tt.v})
		if (got == nil) != (tt.want == nil) || got != nil && got.Error() != tt.want.Error() {
			t.Errorf("Passed(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
