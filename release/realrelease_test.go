package release

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestRealGosec: gosec's .goreleaser.yml (v2) builds cmd/gosec with -X
// targets of its own and leaves out two helper mains under cmd/: kiln
// ships gosec alone, stamped by the file.
func TestRealGosec(t *testing.T) {
	dir := realModule(t, "github.com/securego/gosec/v2@v2.30.0", "v2.98.7", nil)
	m, _ := mustRealRelease(t, dir, "linux/amd64", Settings{})
	if got := shippedOn(m, "linux/amd64"); !slices.Equal(got, []string{"gosec"}) {
		t.Errorf("shipped %q, want gosec without its helpers", got)
	}
	if a := binaryEntry(t, m, "gosec", "linux/amd64"); a.Stamped != "-X main.Version main.GitTag main.BuildDate" || a.CgoDecision != "off (.goreleaser.yml builds[0] env CGO_ENABLED=0)" {
		t.Errorf("stamped %q, cgo %q", a.Stamped, a.CgoDecision)
	}
	wantTag(t, dir, m, "gosec", "v2.98.7", "-version")
}

// TestRealAir: air's config is version 0, with -X main.airVersion and a
// main.goVersion from an unset environment variable; air then falls back
// to its build info, which Go's VCS stamping fills.
func TestRealAir(t *testing.T) {
	dir := realModule(t, "github.com/air-verse/air@v1.67.4", "v1.98.7", nil)
	m, out := mustRealRelease(t, dir, "linux/amd64", Settings{Verify: VerifySettings{Args: []string{"-v"}}})
	if got := shippedOn(m, "linux/amd64"); !slices.Equal(got, []string{"air"}) {
		t.Errorf("shipped %q", got)
	}
	if a := binaryEntry(t, m, "air", "linux/amd64"); a.Stamped != "-X main.airVersion main.goVersion + build info" {
		t.Errorf("stamped %q", a.Stamped)
	}
	if !strings.Contains(out, "config version 0") || !strings.Contains(out, ".Env.GOVERSION is not set") {
		t.Errorf("the notes do not say what kiln made of the file:\n%s", out)
	}
	wantTag(t, dir, m, "air", "v1.98.7", "-v")
}

// TestRealTagsConstVersion: lefthook's first build sets the tag
// no_self_update (its helper main under gen/ is not shipped); its version
// is a constant, so `lefthook version` prints its own, not the tag: verify
// warns, and with Verify.RequireVersion fails.
func TestRealTagsConstVersion(t *testing.T) {
	dir := realModule(t, "github.com/evilmartians/lefthook@v1.13.6", "v1.98.7", nil)
	args := VerifySettings{Args: []string{"version"}}
	m, out := mustRealRelease(t, dir, "linux/amd64", Settings{Verify: args})
	if got := shippedOn(m, "linux/amd64"); !slices.Equal(got, []string{"lefthook"}) {
		t.Errorf("shipped %q", got)
	}
	a := binaryEntry(t, m, "lefthook", "linux/amd64")
	if !slices.Contains(a.Tags, "no_self_update") {
		t.Errorf("tags %q, want the release config's no_self_update", a.Tags)
	}
	if v := a.Verify.Version; v == nil || v.Found != "" || !strings.Contains(out, "ABSENT") || !strings.Contains(out, "does not print 1.98.7 or v1.98.7") {
		t.Errorf("version check %+v; want the tag absent, a warning:\n%s", v, out)
	}
	args.RequireVersion = true
	_, out, err := realRelease(t, dir, "linux/amd64", Settings{Verify: args})
	if err == nil || !strings.Contains(err.Error(), "lefthook linux/amd64: `version` does not print 1.98.7") {
		t.Errorf("verify with RequireVersion = %v, want the version named\n%s", err, out)
	}
}

// gopsutilTool is a program whose dependency has cgo files on darwin and
// falls back without them.
var gopsutilTool = map[string]string{
	"go.mod":  "module example.com/sysinfo\n\ngo 1.22\n\nrequire github.com/shirou/gopsutil/v3 v3.24.5\n",
	"main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"github.com/shirou/gopsutil/v3/cpu\"\n)\n\nvar version = \"dev\"\n\nfunc main() {\n\tn, _ := cpu.Counts(true)\n\tfmt.Println(\"sysinfo\", version, n > 0)\n}\n",
}

// TestRealCgoOff: without a statement, darwin/arm64 is refused from linux
// (gopsutil has cgo files there), naming the line that decides; with the
// maintainers' CGO_ENABLED=0 in .goreleaser.yml it builds, and the
// manifest and verify name the packages that lost their cgo files.
func TestRealCgoOff(t *testing.T) {
	if testing.Short() {
		t.Skip("a module from the module proxy")
	}
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "")
	commitAll(t, dir, gopsutilTool, "")
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir, tidy.Env = dir, append(os.Environ(), "GOFLAGS=")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	commitAll(t, dir, nil, "v1.98.7")
	_, out, err := realRelease(t, dir, "linux/amd64,darwin/arm64", Settings{})
	if err == nil || !strings.Contains(err.Error(), `targets.Config.Binaries = []targets.Binary{{Main: ".", Cgo: "off:darwin/arm64"}}`) ||
		!strings.Contains(err.Error(), "github.com/shirou/gopsutil/v3/cpu") {
		t.Fatalf("darwin/arm64 without a statement = %v, want a refusal with the line\n%s", err, out)
	}

	commitAll(t, dir, map[string]string{".goreleaser.yml": "builds:\n  - env: [CGO_ENABLED=0]\n    goos: [linux, darwin]\n    goarch: [amd64, arm64]\n"}, "v1.98.8")
	m, out := mustRealRelease(t, dir, "linux/amd64,darwin/arm64", Settings{})
	a := binaryEntry(t, m, "sysinfo", "darwin/arm64")
	if a.Cgo || !slices.Contains(a.CgoLeftOut, "github.com/shirou/gopsutil/v3/cpu") || a.CgoDecision != "off (.goreleaser.yml builds[0] env CGO_ENABLED=0)" {
		t.Errorf("darwin/arm64: cgo %v, left out %q, decision %q", a.Cgo, a.CgoLeftOut, a.CgoDecision)
	}
	if l := binaryEntry(t, m, "sysinfo", "linux/amd64"); len(l.CgoLeftOut) != 0 {
		t.Errorf("linux/amd64 left out %q: gopsutil has no cgo files there", l.CgoLeftOut)
	}
	if !strings.Contains(out, "left out") || !strings.Contains(out, "built with cgo off (.goreleaser.yml builds[0] env CGO_ENABLED=0): the cgo files of") ||
		!strings.Contains(out, "github.com/shirou/gopsutil/v3/cpu") {
		t.Errorf("verify does not name the packages:\n%s", out)
	}
	wantTag(t, dir, m, "sysinfo", "v1.98.8", "--version")
}

// TestRealSqliteRefused: go-sqlite3 with no cgo statement and no C
// toolchain (a CC that is not there, no darwin compiler) is refused on
// both platforms, naming the line that decides.
func TestRealSqliteRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("a module from the module proxy")
	}
	dir := t.TempDir()
	t.Setenv("SOURCE_DATE_EPOCH", "")
	commitAll(t, dir, map[string]string{
		"go.mod":  "module example.com/notes\n\ngo 1.22\n\nrequire github.com/mattn/go-sqlite3 v1.14.53\n",
		"main.go": "package main\n\nimport (\n\t\"database/sql\"\n\t\"fmt\"\n\n\t_ \"github.com/mattn/go-sqlite3\"\n)\n\nfunc main() {\n\tdb, err := sql.Open(\"sqlite3\", \":memory:\")\n\tfmt.Println(db != nil, err)\n}\n",
	}, "")
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir, tidy.Env = dir, append(os.Environ(), "GOFLAGS=")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	commitAll(t, dir, nil, "v1.98.7")
	_, out, err := realRelease(t, dir, "linux/amd64,darwin/arm64", Settings{CC: map[string]string{"linux/amd64": "/nonexistent/bin/cc"}})
	if err == nil {
		t.Fatalf("a go-sqlite3 program built without a C toolchain:\n%s", out)
	}
	for _, want := range []string{"2 build(s) failed", "the C compiler /nonexistent/bin/cc is not installed", "github.com/mattn/go-sqlite3",
		`targets.Config.Binaries = []targets.Binary{{Main: ".", Cgo: "off:`, `targets.Config.CC = map[string]string{"darwin/arm64": `} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q:\n%v", want, err)
		}
	}
}
