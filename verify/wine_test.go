package verify

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

func init() {
	for name, b := range map[string]build{
		"win-version": {prog: "version", env: env("windows", "amd64", "CGO_ENABLED=0")},
		"win-panic":   {prog: "crash", env: env("windows", "amd64", "CGO_ENABLED=0")},
		"win-hang":    {prog: "crash", env: env("windows", "amd64", "CGO_ENABLED=0"), args: []string{"-ldflags=-X main.mode=hang"}},
		"win-386":     {prog: "hello", env: env("windows", "386", "CGO_ENABLED=0")},
		"win-readres": {prog: "readres", env: env("windows", "amd64", "CGO_ENABLED=0")},
	} {
		builds[name] = b
	}
}

// One wine prefix per test binary run, in the build directory; TestMain
// stops its wineserver before removing it.
var shared struct {
	once sync.Once
	wine *Wine
	took time.Duration
}

// sharedWine returns the test binary's Wine, its prefix created on first
// use (the test is skipped, or fails in CI, when wine cannot run here).
func sharedWine(t *testing.T) *Wine {
	t.Helper()
	testtool.Need(t, "bwrap", "x86_64-w64-mingw32-gcc")
	if _, err := exec.LookPath(WineTools()[0].Command); err != nil {
		testtool.Missing(t, "wine64 not found (apt-get install wine64)")
	}
	shared.once.Do(func() {
		shared.wine = NewWine(filepath.Join(buildDir, "wine"))
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), wineSetupTimeout)
		defer cancel()
		shared.wine.Setup(ctx)
		shared.took = time.Since(start)
	})
	if why := shared.wine.Setup(context.Background()); why != "" {
		t.Fatalf("wine setup: %s", why)
	}
	t.Logf("wine prefix created in %v (shared by the package's tests)", shared.wine.Created().Round(time.Millisecond))
	return shared.wine
}

func stopWine() {
	if shared.wine != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		shared.wine.Close(ctx)
	}
}

// sqliteExe builds testtool.SQLiteModule for windows/amd64 with mingw-w64
// and a static link, once.
var sqliteBuild struct {
	once sync.Once
	path string
	err  error
}

func sqliteExe(t *testing.T) string {
	t.Helper()
	testtool.Need(t, "x86_64-w64-mingw32-gcc")
	sqliteBuild.once.Do(func() {
		dir := filepath.Join(buildDir, "sqlite")
		if sqliteBuild.err = testtool.WriteFiles(dir, testtool.SQLiteModule); sqliteBuild.err != nil {
			return
		}
		sqliteBuild.path = filepath.Join(buildDir, "sqlitecli.exe")
		start := time.Now()
		sqliteBuild.err = testtool.GoBuild(dir, sqliteBuild.path,
			[]string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc"},
			"-trimpath", "-ldflags=-s -w -linkmode external -extldflags -static", ".")
		t.Logf("go-sqlite3 windows/amd64 build: %v", time.Since(start).Round(time.Millisecond))
	})
	if sqliteBuild.err != nil {
		t.Fatal(sqliteBuild.err)
	}
	return sqliteBuild.path
}

// TestWineSmoke runs real windows/amd64 binaries under wine: output and
// exit codes pass through, a panic and a hang fail, and what wine cannot
// run is "not run" with the reason, never a pass.
func TestWineSmoke(t *testing.T) {
	w := sharedWine(t)
	amd64, i386 := matrix.MustParse("windows/amd64"), matrix.MustParse("windows/386")
	tests := []struct {
		name    string
		path    func(t *testing.T) string
		p       matrix.Platform
		opts    SmokeOptions
		want    string // SmokeResult.String() prefix
		output  string // in Output
		errKind FailKind
	}{
		{"probes", func(t *testing.T) string { return bin(t, "win-version") }, amd64, SmokeOptions{},
			"wine: ok: --version exit 0", "version 1.2.3", ""},
		{"exit code passes through", func(t *testing.T) string { return bin(t, "win-amd64") }, amd64, SmokeOptions{Args: []string{"7"}, Exit: 7},
			"wine: ok: 7 exit 7", "hello [7]", ""},
		{"wrong exit code", func(t *testing.T) string { return bin(t, "win-amd64") }, amd64, SmokeOptions{Args: []string{"3"}},
			"wine: failed: 3: exit code 3, expected 0", "hello [3]", FailExit},
		{"panic", func(t *testing.T) string { return bin(t, "win-panic") }, amd64, SmokeOptions{},
			"wine: failed: --version: Go runtime crash: panic: cannot start", "goroutine 1", FailCrash},
		{"hang", func(t *testing.T) string { return bin(t, "win-hang") }, amd64, SmokeOptions{Args: []string{}, Timeout: 3 * time.Second},
			"wine: failed: no args: did not finish within 3s", "starting", FailTimeout},
		{"go-sqlite3 runs a query", sqliteExe, amd64, SmokeOptions{Args: []string{"--version"}},
			"wine: ok: --version exit 0", "sqlite 3.", ""},
		{"patched with resources", func(t *testing.T) string { return patchedExe(t, "win-amd64-s", winresOptions) }, amd64, SmokeOptions{Args: []string{"4"}, Exit: 4},
			"wine: ok: 4 exit 4", "hello [4]", ""},
		{"a DLL it does not ship", usesOwnDLL, amd64, SmokeOptions{Args: []string{}},
			"wine: failed: no args: did not start: it needs foo.dll, which is neither beside it nor a Windows system DLL", "import_dll Library foo.dll", FailExec},
		{"386", func(t *testing.T) string { return bin(t, "win-386") }, i386, SmokeOptions{},
			"wine: not run: wine64 runs windows/amd64 binaries only, not windows/386", "", ""},
		{"not a PE", func(t *testing.T) string { return bin(t, "static") }, amd64, SmokeOptions{},
			"wine: failed: not a windows/amd64 PE file (elf amd64)", "", FailBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := tt.path(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			res := w.Smoke(ctx, path, tt.p, tt.opts)
			if got := res.String(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("Smoke = %q\nwant %q", got, tt.want)
			}
			if !strings.Contains(res.Output, tt.output) {
				t.Errorf("Output %q does not contain %q", res.Output, tt.output)
			}
			var re *RunError
			if tt.errKind == "" {
				if res.Err != nil {
					t.Errorf("Err = %v", res.Err)
				}
			} else if !errors.As(res.Err, &re) || re.Kind != tt.errKind {
				t.Errorf("Err = %v, want a *RunError of kind %s", res.Err, tt.errKind)
			}
			if tt.want[len("wine: "):][:2] == "ok" && (!res.Ran || res.NotRun != "") {
				t.Errorf("a pass with Ran %v, NotRun %q", res.Ran, res.NotRun)
			}
		})
	}
}

// usesOwnDLL builds a C program linked against a DLL of its own, and
// returns the program without the DLL beside it.
func usesOwnDLL(t *testing.T) string {
	gcc := testtool.Need(t, "x86_64-w64-mingw32-gcc")[0]
	dir := t.TempDir()
	err := testtool.WriteFiles(dir, map[string]string{
		"foo.c":  "int foo(void) { return 42; }\n",
		"main.c": "int foo(void);\nint main(void) { return foo(); }\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-shared", "-o", "foo.dll", "foo.c"}, {"-o", "app.exe", "main.c", "foo.dll"}} {
		cmd := exec.Command(gcc, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %q: %v\n%s", gcc, args, err, out)
		}
	}
	return filepath.Join(dir, "app.exe")
}

// TestWineReadsResources: Windows' own reader (version.dll and kernel32
// under wine) finds the VERSIONINFO and manifest pack/winres wrote, with
// the values verify's parser reads.
func TestWineReadsResources(t *testing.T) {
	w := sharedWine(t)
	target := patchedExe(t, "win-amd64-s", winresOptions)
	rep, err := ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	// readres runs in its own directory of the prefix; the target is read
	// by its host path, which wine maps through drive Z:.
	res := w.Smoke(context.Background(), bin(t, "win-readres"), matrix.MustParse("windows/amd64"), SmokeOptions{Args: []string{target}})
	if res.Err != nil || !res.Ran {
		t.Fatalf("readres under wine: %s\n%s", res, res.Output)
	}
	v := rep.Resources.Version
	for _, want := range []string{
		"fixed file " + v.FileVersion + " product " + v.ProductVersion,
		"FileVersion=" + v.Strings["FileVersion"], "ProductVersion=" + v.Strings["ProductVersion"],
		"ProductName=" + v.Strings["ProductName"], "CompanyName=" + v.Strings["CompanyName"],
		"OriginalFilename=hello.exe", "InternalName=hello", "FileDescription=Hello",
		"manifest " + strconv.Itoa(len(rep.Resources.Manifest)) + " bytes:", `level="asInvoker"`,
	} {
		if !strings.Contains(res.Output, want) {
			t.Errorf("wine's reader does not show %q:\n%s", want, res.Output)
		}
	}
}

// TestWineSetup: the prefix is kiln's (marker and shim in it) and is
// reused; a directory kiln did not create, a relative path and a missing
// wine are "not run" with the reason.
func TestWineSetup(t *testing.T) {
	w := sharedWine(t)
	for _, f := range []string{wineMarker, "drive_c/windows/system32/bcryptprimitives.dll"} {
		if _, err := os.Stat(filepath.Join(w.Prefix(), f)); err != nil {
			t.Errorf("prefix lacks %s: %v", f, err)
		}
	}
	again := NewWine(w.Prefix())
	start := time.Now()
	if why := again.Setup(context.Background()); why != "" || again.Created() != 0 {
		t.Errorf("second Setup: %q, created in %v; want the prefix reused", why, again.Created())
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("reusing the prefix took %v", d)
	}

	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "system.reg"), []byte("WINE REGISTRY"), 0o644); err != nil {
		t.Fatal(err)
	}
	noWine := NewWine(filepath.Join(t.TempDir(), "wine"))
	noWine.look = func(string) (string, error) { return "", exec.ErrNotFound }
	for _, tt := range []struct {
		w    *Wine
		want string
	}{
		{NewWine(foreign), "exists but kiln did not create it (no valid " + wineMarker + " in it)"},
		{NewWine("relative/wine"), `wine prefix "relative/wine" is not an absolute path`},
		{noWine, "not found (apt-get install wine64)"},
	} {
		res := tt.w.Smoke(context.Background(), bin(t, "win-amd64"), matrix.MustParse("windows/amd64"), SmokeOptions{})
		if res.Ran || res.Err != nil || !strings.Contains(res.NotRun, tt.want) || !strings.HasPrefix(res.String(), "wine: not run: ") {
			t.Errorf("Smoke with prefix %s = %+v, want not run: %q", tt.w.Prefix(), res, tt.want)
		}
	}
	if names, _ := os.ReadDir(foreign); len(names) != 1 {
		t.Errorf("kiln wrote into a prefix it does not own: %v", names)
	}
}

// TestWineVerdict: wine's own messages (as captured from wine 8.0 runs)
// decide the verdict; what wine lacks is no verdict, never a pass.
func TestWineVerdict(t *testing.T) {
	r := &wineRun{}
	tests := []struct {
		out    string
		exit   int
		kind   FailKind
		reason string
	}{
		{"0024:err:module:import_dll Library foo.dll (which is needed by L\"Z:\\\\tmp\\\\app.exe\") not found\n" +
			"0024:err:module:LdrInitializeThunk Importing dlls for L\"Z:\\\\tmp\\\\app.exe\" failed, status c0000135\n", 53,
			FailExec, "did not start: it needs foo.dll"},
		{"0024:err:module:import_dll Library api-ms-win-core-synch-l1-2-0.dll (which is needed by L\"C:\\\\x.exe\") not found\n", 53,
			failNoVerdict, "wine cannot run it: wine lacks the system DLL api-ms-win-core-synch-l1-2-0.dll"},
		{"fatal error: bcryptprimitives.dll not found\nruntime: panic before malloc heap initialized\n", 2,
			failNoVerdict, "wine cannot run it: wine lacks the system DLL bcryptprimitives.dll"},
		{"wine: Call from 00006FFFFFC3A4C8 to unimplemented function KERNEL32.dll.Foo, aborting\n", 1,
			failNoVerdict, "wine cannot run it: Call from 00006FFFFFC3A4C8 to unimplemented function KERNEL32.dll.Foo"},
		{"wine: failed to open \"./x.exe\": c0000135\n", 53, FailExec, "wine could not start it: wine: failed to open"},
		{"Application could not be started, or no application associated with the specified file.\n", 1, FailExec, "wine could not start it"},
		{"panic: boom\n\ngoroutine 1 [running]:\n", 2, FailCrash, "Go runtime crash: panic: boom"},
		{"0024:err:module:something harmless\nok\n", 0, "", ""},
	}
	for _, tt := range tests {
		kind, reason, _ := r.verdict(attempt{exit: tt.exit, output: tt.out}, time.Second)
		if kind != tt.kind || !strings.HasPrefix(reason, tt.reason) {
			t.Errorf("verdict(%q, exit %d) = %s %q, want %s %q", tt.out, tt.exit, kind, reason, tt.kind, tt.reason)
		}
	}
}
