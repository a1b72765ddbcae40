package verify

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// checkResult checks what Result returns of itself: the error is the
// problems on one line, OK says there is none.
func checkResult(t *testing.T, res artifact.VerifyResult, err error) {
	t.Helper()
	if res.OK != (err == nil) || res.OK != (len(res.Problems) == 0) {
		t.Errorf("Result = OK %v, problems %q, error %v; want OK exactly when there is no problem", res.OK, res.Problems, err)
	}
	if err != nil && err.Error() != strings.Join(res.Problems, "; ") {
		t.Errorf("Result error = %q, want its problems %q joined by \"; \"", err, res.Problems)
	}
}

// TestResult: a binary entry's verify result from its inspection: why a
// binary did not run (not inspected, not linux, runs off, wine off or
// absent), the run of a linux binary in an empty root with its version
// check, and every problem (the inspection's, the run's, a version check
// that is required) listed, naming the caller's setting.
func TestResult(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	wineOff, err := PrepareWine(ctx, []matrix.Platform{{OS: "windows", Arch: "amd64"}}, WineStageOptions{Off: "Config.Verify.Windows is off"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, missing := Entry(t.TempDir(), artifact.Artifact{Path: "tool_linux_amd64/tool", Kind: artifact.Binary}, nil)
	if missing == nil {
		t.Fatal("Entry of a missing file succeeded")
	}
	changed := errors.New("sha256 ab does not match the manifest's cd: the file changed after it was built (run crossall again)")
	const noRun = "Config.Verify.NoRun"
	for _, tt := range []struct {
		name      string
		build     string // "" for a file that could not be inspected
		platform  string
		inspected error
		o         ResultOptions
		notRun    string   // "" for a run
		version   string   // the version check: Found, or NotChecked
		problems  []string // each in the problem of its place
	}{
		{"not inspected", "", "linux/amd64", missing, ResultOptions{}, "not inspected", "", []string{"missing or refused (run crossall again)"}},
		{"darwin", "darwin-arm64", "darwin/arm64", nil, ResultOptions{}, "not a linux binary", "", nil},
		{"windows, runs off", "win-amd64", "windows/amd64", nil, ResultOptions{NoRun: noRun, Wine: wineOff}, "not a linux binary", "", nil},
		{"windows, wine off", "win-amd64", "windows/amd64", nil, ResultOptions{Wine: wineOff}, "Config.Verify.Windows is off", "", nil},
		{"windows, no wine stage", "win-amd64", "windows/amd64", nil, ResultOptions{}, "no wine stage", "", nil},
		{"linux, runs off", "static", "linux/amd64", nil, ResultOptions{NoRun: noRun, CI: true}, noRun, "", nil},
		{"linux, changed", "static", "linux/amd64", changed, ResultOptions{NoRun: noRun}, noRun, "", []string{changed.Error()}},
		{"linux, version printed", "version", "linux/amd64", nil, ResultOptions{RequireVersion: "Verify.RequireVersion"}, "", "1.2.3", nil},
		{"linux, no version flag", "noversion", "linux/amd64", nil, ResultOptions{}, "", "no version flag (--version, -version) exited 0", nil},
		{"linux, no version flag, required", "noversion", "linux/amd64", nil, ResultOptions{RequireVersion: "Verify.RequireVersion"}, "",
			"no version flag (--version, -version) exited 0", []string{"tool linux/amd64: version not checked: no version flag (--version, -version) exited 0; " +
				`set Verify.Args (or the binary's VerifyArgs) to the arguments that print it, e.g. ["version"] (Verify.RequireVersion)`}},
		{"linux, configured arguments", "static", "linux/amd64", nil, ResultOptions{Smoke: SmokeOptions{Args: []string{"3"}, Exit: 3}}, "",
			`the smoke arguments ["3"] ask for no version`, nil},
		{"linux, crashes", "panic", "linux/amd64", changed, ResultOptions{}, "", "", []string{changed.Error(), "Go runtime crash: panic: cannot start"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pl := matrix.MustParse(tt.platform)
			if tt.notRun == "" {
				for _, tool := range RunTools(pl) {
					testtool.Need(t, tool.Command)
				}
			}
			a := artifact.Artifact{Name: "tool", OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant}
			var path string
			var rep *Report
			if tt.build != "" {
				path = bin(t, tt.build)
				rep = read(t, path)
			}
			o := tt.o
			o.Version = "v1.2.3"
			res, err := Result(runCtx(t), a, path, rep, tt.inspected, o)
			checkResult(t, res, err)
			if rep != nil && res.Format != rep.Format {
				t.Errorf("Result's format = %q, want the report's %q", res.Format, rep.Format)
			}
			if tt.notRun != "" && (res.Run.Ran || res.Run.NotRun != tt.notRun || res.Run.ExitCode != -1 || res.Version != nil) {
				t.Errorf("Result's run = %+v, version %+v; want not run: %s, no version check", res.Run, res.Version, tt.notRun)
			}
			if tt.notRun == "" && !res.Run.Ran {
				t.Errorf("Result's run = %+v, want it run", res.Run)
			}
			if tt.version != "" && (res.Version == nil || res.Version.Want != "v1.2.3" || res.Version.Found != tt.version && res.Version.NotChecked != tt.version) {
				t.Errorf("Result's version check = %+v, want %q of v1.2.3", res.Version, tt.version)
			}
			if len(res.Problems) != len(tt.problems) {
				t.Fatalf("Result's problems = %q, want %d like %q", res.Problems, len(tt.problems), tt.problems)
			}
			for i, want := range tt.problems {
				if !strings.Contains(res.Problems[i], want) {
					t.Errorf("Result's problem %d = %q, want %q in it", i, res.Problems[i], want)
				}
			}
		})
	}
}

// TestResultCI: a linux binary whose run check could not run (no
// bubblewrap) fails in CI, naming why, and passes elsewhere.
func TestResultCI(t *testing.T) {
	// t.Setenv: not parallel.
	static := bin(t, "static")
	rep := read(t, static)
	t.Setenv("PATH", t.TempDir())
	a := artifact.Artifact{Name: "tool", OS: "linux", Arch: "amd64"}
	const why = "bwrap not found (apt-get install bubblewrap)"
	res, err := Result(runCtx(t), a, static, rep, nil, ResultOptions{Version: "v1.2.3"})
	checkResult(t, res, err)
	if !res.OK || res.Run.Ran || res.Run.NotRun != why {
		t.Errorf("outside CI: Result = %+v, %v; want ok, not run: %s", res, err, why)
	}
	res, err = Result(runCtx(t), a, static, rep, nil, ResultOptions{Version: "v1.2.3", CI: true})
	checkResult(t, res, err)
	if res.OK || len(res.Problems) != 1 || res.Problems[0] != "the run check could not run in CI: "+why {
		t.Errorf("in CI: Result = %+v, %v; want the run check that could not run as its one problem", res, err)
	}
}
