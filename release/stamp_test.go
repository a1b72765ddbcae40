package release

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
)

// identityModule has one program per way of learning the version.
var identityModule = map[string]string{
	"go.mod": "module example.com/ids\n\ngo 1.22\n",
	// main.Version, capital V.
	"cmd/upper/main.go": "package main\n\nimport \"fmt\"\n\nvar Version = \"dev\"\n\nfunc main() { fmt.Println(\"upper\", Version) }\n",
	// internal/version.Version, a bool named Version in main.
	"cmd/internal/main.go":        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/ids/internal/version\"\n)\n\nvar Version bool\n\nfunc main() { fmt.Println(\"internal\", version.Version, Version) }\n",
	"internal/version/version.go": "package version\n\n// Version is set by the build.\nvar Version = \"dev\"\n",
	// No variable: the build info's main module version.
	"cmd/buildinfo/main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"runtime/debug\"\n)\n\nfunc main() {\n\tbi, _ := debug.ReadBuildInfo()\n\tfmt.Println(\"buildinfo\", bi.Main.Version)\n}\n",
	// Two version packages at one level: ambiguous.
	"cmd/ambiguous/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\ta \"example.com/ids/a/version\"\n\tb \"example.com/ids/b/version\"\n)\n\nfunc main() { fmt.Println(\"ambiguous\", a.Version, b.Version) }\n",
	"a/version/v.go":        "package version\n\nvar Version = \"dev\"\n",
	"b/version/v.go":        "package version\n\nvar Version = \"dev\"\n",
	// Another version, hard-coded.
	"cmd/other/main.go": "package main\n\nimport \"fmt\"\n\nconst version = \"0.0.1\"\n\nfunc main() { fmt.Println(\"other\", version) }\n",
}

// TestStampedVersions: zero config, each program of a clean, tagged
// checkout prints the tag, however it learns it (main.Version, a version
// package past a bool named Version, Go's build info); an ambiguous choice
// stamps none and says which line picks one; the build table and the
// manifest say what was stamped. An untracked file turns Go's VCS
// stamping off, and the program reading build info is told why.
func TestStampedVersions(t *testing.T) {
	dir := writeModule(t, maps.Clone(identityModule))
	gitRepo(t, dir)
	git(t, dir, "tag", "v1.2.3")
	host := runtime.GOOS + "/" + runtime.GOARCH
	env := []string{"KILN_MATRIX=" + host}
	out := mustRun(t, dir, env, (*Plan).Build)
	for _, want := range []string{
		`the version variable is ambiguous: example.com/ids/a/version.Version, example.com/ids/b/version.Version`,
		`targets.Config.VersionVars.Version = "example.com/ids/a/version.Version"`,
		"upper           ", "version: -X main.Version\n",
		"version: -X example.com/ids/internal/version.Version\n",
		"version: build info\n",
		"version: none: the version variable is ambiguous (see the note)\n",
		"version: none: no string variable for the version, and no read of the build info\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("build output lacks %q:\n%s", want, out)
		}
	}
	runs := map[string]string{"upper": "upper v1.2.3", "internal": "internal v1.2.3 false", "buildinfo": "buildinfo v1.2.3",
		"ambiguous": "ambiguous dev dev", "other": "other 0.0.1"}
	for name, want := range runs {
		if got := runDist(t, dir, "ids_"+strings.ReplaceAll(host, "/", "_"), name); got != want {
			t.Errorf("%s printed %q, want %q", name, got, want)
		}
	}
	m, err := artifact.Load(filepath.Join(dir, "dist"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		if !a.VCS || a.Stamped == "" {
			t.Errorf("%s: vcs %v, stamped %q; want Go's VCS stamping recorded and what was stamped", a.Name, a.VCS, a.Stamped)
		}
	}

	// Untracked files: no VCS stamping, and the reason.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("scratch"), 0o644)
	out = mustRun(t, dir, env, (*Plan).Build)
	if !strings.Contains(out, "version: none: reads its version from the build info, but Go's VCS stamping is off: git sees files it does not track (?? notes.txt)") {
		t.Errorf("build output with an untracked file:\n%s", out)
	}
	if got := runDist(t, dir, "ids_"+strings.ReplaceAll(host, "/", "_"), "buildinfo"); got != "buildinfo (devel)" {
		t.Errorf("buildinfo printed %q with an untracked file, want (devel)", got)
	}
	os.Remove(filepath.Join(dir, "notes.txt"))

	// The cache of what was found follows the sources.
	os.WriteFile(filepath.Join(dir, "cmd/upper/main.go"), []byte("package main\n\nimport \"fmt\"\n\nvar appVersion = \"dev\"\n\nfunc main() { fmt.Println(\"upper\", appVersion) }\n"), 0o644)
	if p := mustResolve(t, dir, Settings{}, map[string]string{"KILN_MATRIX": host}); p.Binaries[4].Name != "upper" || p.Binaries[4].Stamped != "-X main.appVersion" {
		t.Errorf("after the edit %s stamps %q, want main.appVersion", p.Binaries[4].Name, p.Binaries[4].Stamped)
	}
}

// TestRequireVersion: verify reports the version each binary's version
// flag printed; one that prints another version is a warning, and with
// Verify.RequireVersion a failure that names it.
func TestRequireVersion(t *testing.T) {
	testtool.Need(t, "bwrap")
	dir := writeModule(t, map[string]string{"go.mod": "module example.com/ids\n\ngo 1.22\n",
		"cmd/upper/main.go": identityModule["cmd/upper/main.go"], "cmd/other/main.go": identityModule["cmd/other/main.go"]})
	gitRepo(t, dir)
	git(t, dir, "tag", "v1.2.3")
	verify := func(require bool) (string, error) {
		s := Settings{Verify: VerifySettings{RequireVersion: require}, Package: PackageSettings{NoImage: true}}
		var w lockedBuffer
		p, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&w),
			WithEnv(func(k string) string { return map[string]string{"KILN_MATRIX": "linux/amd64"}[k] }))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
		err = p.Verify(context.Background())
		return w.String(), err
	}
	out, err := verify(false)
	if err != nil {
		t.Fatalf("verify without RequireVersion: %v\n%s", err, out)
	}
	for _, want := range []string{"v1.2.3       -                              --version: exit 0", "ABSENT       -                              --version: exit 0",
		"note: other linux/amd64: `--version` does not print 1.2.3 or v1.2.3 (stamped: none: no string variable"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
	m, _ := artifact.Load(filepath.Join(dir, "dist"))
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		if v := a.Verify.Version; v == nil || v.Want != "v1.2.3" || (a.Name == "upper") != (v.Found == "v1.2.3") {
			t.Errorf("%s: version check %+v", a.Name, v)
		}
	}
	out, err = verify(true)
	if err == nil || !strings.Contains(err.Error(), "other linux/amd64") || !strings.Contains(err.Error(), "Verify.RequireVersion") || strings.Contains(err.Error(), "upper linux/amd64") {
		t.Errorf("verify with RequireVersion = %v, want a failure of other only\n%s", err, out)
	}
}

// runDist runs a binary the build wrote with --version.
func runDist(t *testing.T, dir, platformDir, name string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(dir, "dist", platformDir, name), "--version").Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}
