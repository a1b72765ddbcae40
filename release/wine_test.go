package release

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/verify"
)

// needWine skips (fails in CI) a test that runs windows binaries under
// wine when a tool it needs is missing.
func needWine(t *testing.T) {
	t.Helper()
	for _, tool := range verify.WineTools() {
		if !strings.Contains(tool.Command, "/") {
			testtool.Need(t, tool.Command)
		} else if _, err := os.Stat(tool.Command); err != nil {
			testtool.Missing(t, tool.NotFound())
		}
	}
}

// TestWindowsSQLite is issue 17's end to end: a real cgo program
// (go-sqlite3 from the module proxy) ships windows/amd64 through the plan,
// linked statically with mingw-w64 (recorded in the manifest and the
// provenance), importing only system DLLs, with its resources; verify runs
// its query under wine ("wine: --version exit 0", required with Windows
// "run"); and two clean runs give the same bytes.
func TestWindowsSQLite(t *testing.T) {
	testtool.Need(t, "git", "x86_64-w64-mingw32-gcc")
	needWine(t)
	dir := t.TempDir()
	if err := testtool.WriteFiles(dir, testtool.SQLiteModule); err != nil {
		t.Fatal(err)
	}
	gitRepo(t, dir)
	git(t, dir, "tag", "v1.4.2")
	s := Settings{
		// --version runs the query first: exit 0 only when it succeeded.
		Binaries: []Binary{{Main: ".", VerifyArgs: []string{"--version"}}},
		Windows:  WindowsSettings{Company: "Example Ltd"},
		Verify:   VerifySettings{Windows: "run", WinePrefix: testWinePrefix(t)},
		Package:  PackageSettings{NoImage: true},
	}
	env := []string{"KILN_MATRIX=windows/amd64"}
	dist := filepath.Join(dir, "dist")
	exe := filepath.Join(dist, "sqlitecli_windows_amd64", "sqlitecli.exe")

	start := time.Now()
	out := mustRunS(t, dir, s, env, (*Plan).Build)
	t.Logf("windows/amd64 go-sqlite3 build with mingw-w64: %.1fs", time.Since(start).Seconds())
	if !strings.Contains(out, "(cgo, x86_64-w64-mingw32-gcc)") {
		t.Errorf("the build did not use mingw-w64:\n%s", out)
	}
	m, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := findPath(m, "sqlitecli_windows_amd64/sqlitecli.exe")
	if !ok || !a.Cgo || !a.Static || a.CC != "x86_64-w64-mingw32-gcc" || a.Version != "v1.4.2" {
		t.Fatalf("manifest entry %+v, want a static cgo build with x86_64-w64-mingw32-gcc at v1.4.2", a)
	}
	rep, err := verify.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	system := map[string]bool{"kernel32.dll": true, "msvcrt.dll": true, "advapi32.dll": true, "ws2_32.dll": true, "user32.dll": true}
	for _, dll := range rep.Needed {
		if !system[strings.ToLower(dll)] {
			t.Errorf("the import table lists %s, not a system DLL (all: %v)", dll, rep.Needed)
		}
	}
	if len(rep.Needed) == 0 || !rep.Static {
		t.Errorf("imports %v, static %v: want system DLLs only", rep.Needed, rep.Static)
	}
	if v := rep.Resources; v == nil || v.Version == nil || v.Version.FileVersion != "1.4.2.0" || v.Manifest == "" {
		t.Errorf("resources %+v, want VERSIONINFO 1.4.2.0 and a manifest", v)
	}

	start = time.Now()
	out = mustRunS(t, dir, s, env, (*Plan).Verify)
	t.Logf("verify with wine (prefix created: %v): %.1fs", strings.Contains(out, "created the wine prefix"), time.Since(start).Seconds())
	if !strings.Contains(out, "wine: --version exit 0") || !strings.Contains(out, "VERSIONINFO 1.4.2.0, manifest") {
		t.Errorf("the verify table does not show the run under wine and the resources:\n%s", out)
	}
	m, _ = artifact.Load(dist)
	if a, _ := findPath(m, "sqlitecli_windows_amd64/sqlitecli.exe"); a.Verify == nil || !a.Verify.Run.Ran || a.Verify.Run.Via != "wine" || a.Verify.Run.ExitCode != 0 {
		t.Errorf("recorded run %+v, want ran under wine, exit 0", a.Verify)
	}

	mustRunS(t, dir, s, env, (*Plan).Package)
	first := distFiles(t, dist)
	if first["sqlitecli_1.4.2_windows_amd64.zip"] == nil {
		t.Errorf("package wrote no zip: %v", keys(first))
	}
	var prov struct {
		Predicate struct {
			BuildDefinition struct {
				InternalParameters struct {
					CToolchains map[string]string `json:"cToolchains"`
				} `json:"internalParameters"`
			} `json:"buildDefinition"`
		} `json:"predicate"`
	}
	if err := json.Unmarshal(first["sqlitecli_1.4.2.intoto.json"], &prov); err != nil {
		t.Fatalf("provenance: %v", err)
	}
	if cc := prov.Predicate.BuildDefinition.InternalParameters.CToolchains["windows/amd64"]; cc != "x86_64-w64-mingw32-gcc" {
		t.Errorf("the provenance records the C toolchain of windows/amd64 as %q", cc)
	}

	if err := os.RemoveAll(dist); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	mustRunS(t, dir, s, env, (*Plan).Build)
	t.Logf("the same build again into a clean dist: %.1fs", time.Since(start).Seconds())
	mustRunS(t, dir, s, env, (*Plan).Verify)
	mustRunS(t, dir, s, env, (*Plan).Package)
	sameFiles(t, first, distFiles(t, dist))
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWineRunFails: a windows binary that crashes under wine fails verify
// with the crash quoted (the table shows the run, exit 2).
func TestWineRunFails(t *testing.T) {
	needWine(t)
	dir := testModule(t)
	crash := "package main\n\nimport \"runtime\"\n\nvar version = \"dev\"\n\nfunc main() {\n\tif runtime.GOOS == \"windows\" {\n\t\tpanic(\"boom on windows\")\n\t}\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(crash), 0o644); err != nil {
		t.Fatal(err)
	}
	s := windowsSettings()
	s.Verify = VerifySettings{WinePrefix: testWinePrefix(t)}
	env := []string{"KILN_MATRIX=windows/amd64", "KILN_VERSION=1.0.0"}
	mustRunS(t, dir, s, env, (*Plan).Build)
	out, err := runS(t, dir, s, env, (*Plan).Verify)
	if err == nil || !strings.Contains(err.Error(), "panic: boom on windows") {
		t.Errorf("verify of a binary that panics under wine = %v, want the panic quoted\n%s", err, out)
	}
	if !strings.Contains(out, "wine: --version exit 2") {
		t.Errorf("the verify table does not show the run that crashed:\n%s", out)
	}
}

// TestWineNotRun: when wine cannot run a windows binary (here: the prefix
// is a directory kiln did not create) the table says why; that fails
// verify only with Windows "run"; "off" does not try.
func TestWineNotRun(t *testing.T) {
	dir := testModule(t)
	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "user.reg"), []byte("someone's prefix\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"KILN_MATRIX=windows/amd64,windows/arm64", "KILN_VERSION=1.0.0", "KILN_WINEPREFIX=" + foreign, "CI="}
	s := windowsSettings()
	s.Verify = VerifySettings{}
	mustRunS(t, dir, s, env, (*Plan).Build)
	out := mustRunS(t, dir, s, env, (*Plan).Verify)
	if !strings.Contains(out, "not run: ") || !strings.Contains(out, "wine64 runs windows/amd64 binaries only, not windows/arm64") {
		t.Errorf("auto: the table does not say why wine did not run them:\n%s", out)
	}
	t.Logf("%s", out)
	out, err := runS(t, dir, s, append(env, "KILN_WINE=run"), (*Plan).Verify)
	if err == nil || !strings.Contains(err.Error(), "tool windows/amd64") || !strings.Contains(err.Error(), `the run under wine is required (Config.Verify.Windows = "run"`) {
		t.Errorf("run: verify = %v, want a failure for windows/amd64 with the reason\n%s", err, out)
	}
	if err != nil && strings.Contains(err.Error(), "windows/arm64") {
		t.Errorf("run: windows/arm64, which wine64 cannot run, failed verify: %v", err)
	}
	out = mustRunS(t, dir, s, append(env, "KILN_WINE=off"), (*Plan).Verify)
	if !strings.Contains(out, "not run: Config.Verify.Windows is off (KILN_WINE)") {
		t.Errorf("off: the table does not say so:\n%s", out)
	}
	if entries, _ := os.ReadDir(foreign); len(entries) != 1 {
		t.Errorf("kiln wrote into a prefix it did not create: %v", entries)
	}
}
