package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// TestBuildLine: outside GitHub Actions a build is one plain line; in it a
// failed build is a group with the compiler's output and an annotation on
// the file, relative to the workspace.
func TestBuildLine(t *testing.T) {
	repo := t.TempDir()
	mod := filepath.Join(repo, "mod")
	failed := gobuild.Result{Spec: gobuild.Spec{Name: "tool", Platform: matrix.Platform{OS: "windows", Arch: "amd64"}},
		Status: gobuild.Failed, Err: errors.New("./broken.go:5:9: undefined: nosuch")}
	built := gobuild.Result{Spec: gobuild.Spec{Name: "tool", Platform: matrix.Platform{OS: "linux", Arch: "amd64"}},
		Status: gobuild.Built, Size: 2_500_000, Cgo: true, CC: "musl-gcc"}

	var plain bytes.Buffer
	r := New(&plain, nil, mod)
	r.Build(built, "tool_linux_amd64/tool", "-X main.Version")
	r.Build(failed, "", "-X main.Version")
	off := built
	off.Cgo, off.CgoLeftOut = false, []string{"example.com/c"}
	r.Build(off, "tool_linux_amd64/tool", "build info")
	if got := plain.String(); strings.Contains(got, "::") || !strings.Contains(got, "2.5 MB  tool_linux_amd64/tool  (cgo, musl-gcc)  version: -X main.Version\n") ||
		!strings.Contains(got, "tool_linux_amd64/tool  (cgo off: left out example.com/c)  version: build info\n") {
		t.Errorf("plain build lines:\n%s", got)
	}
	if err := r.Output("matrix", "{}"); err != nil || strings.Contains(plain.String(), "step output") {
		t.Errorf("Output outside GitHub Actions = %v, printed:\n%s", err, plain.String())
	}

	var gh bytes.Buffer
	out := filepath.Join(t.TempDir(), "output")
	New(&gh, &GitHub{Workspace: repo, Output: out}, mod).Build(failed, "", "")
	for _, want := range []string{"::group::tool windows/amd64: failed\n", "undefined: nosuch\n::endgroup::\n",
		"::error file=mod/broken.go,line=5,col=9::undefined: nosuch\n"} {
		if !strings.Contains(gh.String(), want) {
			t.Errorf("GitHub build report lacks %q:\n%s", want, gh.String())
		}
	}
	if err := New(&gh, &GitHub{Output: out}, mod).Output("matrix", `{"include":[]}`); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(out); err != nil || !strings.Contains(string(data), `{"include":[]}`) {
		t.Errorf("$GITHUB_OUTPUT = %q (%v)", data, err)
	}
}

// TestOutputFiles: in GitHub Actions each file is a step output named
// after its kind, its absolute path; elsewhere nothing is written.
func TestOutputFiles(t *testing.T) {
	dir := t.TempDir()
	files := []artifact.Artifact{{Path: "tool_1.0.0_checksums.txt", Kind: artifact.Checksums}, {Path: "tool_1.0.0.intoto.json", Kind: artifact.Provenance}}
	var plain bytes.Buffer
	if err := OutputFiles(New(&plain, nil, dir), dir, files...); err != nil || plain.Len() > 0 {
		t.Errorf("OutputFiles outside GitHub Actions = %v, printed %q", err, plain.String())
	}
	out := filepath.Join(t.TempDir(), "output")
	var gh bytes.Buffer
	if err := OutputFiles(New(&gh, &GitHub{Output: out}, dir), dir, files...); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"checksums<<", "\n" + filepath.Join(dir, "tool_1.0.0_checksums.txt") + "\n", "provenance<<", "\n" + filepath.Join(dir, "tool_1.0.0.intoto.json") + "\n"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("$GITHUB_OUTPUT lacks %q:\n%s", want, data)
		}
	}
	if !strings.Contains(gh.String(), "wrote the step output provenance="+filepath.Join(dir, "tool_1.0.0.intoto.json")) {
		t.Errorf("OutputFiles did not say what it wrote:\n%s", gh.String())
	}
	if err := OutputFiles(New(&gh, &GitHub{Output: filepath.Join(dir, "no", "such", "file")}, dir), dir, files...); err == nil {
		t.Error("OutputFiles into a file that cannot be written = nil, want the error")
	}
}

// TestSummaries: the verify and package tables reach the job summary only
// in GitHub Actions; the verify table is printed either way.
// TestBuiltLine: the build stage's summary counts the builds by status.
func TestBuiltLine(t *testing.T) {
	results := []gobuild.Result{{Status: gobuild.Built}, {Status: gobuild.UpToDate}, {Status: gobuild.Failed}, {Status: gobuild.Built}}
	var w bytes.Buffer
	New(&w, nil, t.TempDir()).Built("tool v1.2.3", results, 1500*time.Millisecond)
	if got, want := w.String(), "tool v1.2.3: 4 build(s): 2 built, 1 up to date, 1 failed in 1.50s\n"; got != want {
		t.Errorf("Built printed %q, want %q", got, want)
	}
}

func TestSummaries(t *testing.T) {
	bins := []artifact.Artifact{{Name: "tool", OS: "linux", Arch: "amd64", Size: 1e6},
		{Name: "tool", OS: "linux", Arch: "arm64", Size: 1e6, CgoLeftOut: []string{"example.com/c"}},
		{Name: "tool", OS: "darwin", Arch: "arm64", Size: 1e6}}
	results := []artifact.VerifyResult{{OK: false, Static: true, Problems: []string{"not static"}, Run: artifact.RunRecord{NotRun: "NoRun"}},
		{OK: true, Static: true, Run: artifact.RunRecord{Ran: true, Args: []string{"--version"}}, Version: &artifact.VersionCheck{Want: "v1.0.0", Found: "1.0.0"}},
		{OK: true, Static: true, Run: artifact.RunRecord{Ran: true, Args: []string{"--version"}}, Version: &artifact.VersionCheck{Want: "v1.0.0"}}}
	summary := filepath.Join(t.TempDir(), "summary.md")
	var w bytes.Buffer
	r := New(&w, &GitHub{Summary: summary}, t.TempDir())
	r.Verified("tool v1.0.0", bins, results, []string{"", "an sbom note"})
	r.Packaged("tool v1.0.0", []artifact.Artifact{{Path: "tool_1.0.0_checksums.txt", Kind: artifact.Checksums, SHA256: "ab"}})
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### verify: tool v1.0.0 — 2 of 3 binaries ok", "| ❌ not static |", "| left out: example.com/c |", "| 1.0.0 |", "| ABSENT |",
		"### package: tool v1.0.0 — 1 artifact(s)", "| tool_1.0.0_checksums.txt | checksums | - |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("summary lacks %q:\n%s", want, md)
		}
	}
	if !strings.Contains(w.String(), "not run: NoRun") || !strings.Contains(w.String(), "  note: an sbom note\n") ||
		!strings.Contains(w.String(), " left out ") || !strings.Contains(w.String(), " ABSENT ") || !strings.Contains(w.String(), " 1.0.0 ") {
		t.Errorf("verify table:\n%s", w.String())
	}
	var plain bytes.Buffer
	New(&plain, nil, t.TempDir()).Packaged("tool v1.0.0", nil)
	if plain.Len() != 0 {
		t.Errorf("Packaged outside GitHub Actions printed %q", plain.String())
	}
}

// TestVerifiedOSChecks: the verify table shows the OS checks (a darwin
// signature, windows resources) and a run under wine as "wine: --version
// exit 0".
func TestVerifiedOSChecks(t *testing.T) {
	bins := []artifact.Artifact{
		{Name: "tool", OS: "windows", Arch: "amd64", Size: 1e6},
		{Name: "tool", OS: "darwin", Arch: "arm64", Size: 1e6},
		{Name: "tool", OS: "linux", Arch: "amd64", Size: 1e6},
	}
	results := []artifact.VerifyResult{
		{OK: true, Resources: "VERSIONINFO 1.2.3.0, manifest", Run: artifact.RunRecord{Ran: true, Args: []string{"--version"}, Via: "wine"}},
		{OK: true, Signature: "ad-hoc signed, 12 pages", Run: artifact.RunRecord{NotRun: "not a linux binary"}},
		{OK: true, Run: artifact.RunRecord{Ran: true, Args: []string{"--version"}}},
	}
	var w bytes.Buffer
	New(&w, nil, t.TempDir()).Verified("tool v1.2.3", bins, results, nil)
	lines := strings.Split(w.String(), "\n")
	for i, want := range [][]string{
		{"OS CHECK", "RUN"},
		{"windows/amd64", "VERSIONINFO 1.2.3.0, manifest", "wine: --version exit 0"},
		{"darwin/arm64", "ad-hoc signed, 12 pages", "not run: not a linux binary"},
		{"linux/amd64", " - ", "--version: exit 0"},
	} {
		for _, s := range want {
			if !strings.Contains(lines[i], s) {
				t.Errorf("table line %d lacks %q:\n%s", i, s, w.String())
			}
		}
	}
}
