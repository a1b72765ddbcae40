package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

// Smoke runs the windows/amd64 binary at path, filed under p, under wine
// as the package's Smoke runs a linux binary in an empty root: the same
// probes, strict arguments and verdicts, with Via "wine". Exit codes pass
// through (a Go panic is exit 2 with "panic: ..."), and what keeps wine
// from starting the program is a failure with wine's reason: "wine: failed
// to open ...", a DLL that is neither shipped nor a system DLL.
//
// When wine itself cannot run the program, the result is not run, with
// the reason, never a pass: a platform other than windows/amd64 (Debian's
// wine64 has no 32-bit or arm64 support, and a 386 binary "runs" with
// exit 0 without starting), a missing tool, a prefix that could not be
// created, a system DLL or function wine lacks.
func (w *Wine) Smoke(ctx context.Context, path string, p matrix.Platform, opts SmokeOptions) SmokeResult {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultWineTimeout
	}
	probes, strict := DefaultProbes, false
	if opts.Args != nil {
		probes, strict = [][]string{opts.Args}, true
	}
	res := w.smoke(ctx, path, p, probes, strict, opts.Exit, timeout)
	res.Via = "wine"
	return res
}

func (w *Wine) smoke(ctx context.Context, path string, p matrix.Platform, probes [][]string, strict bool, exit int, timeout time.Duration) SmokeResult {
	res := SmokeResult{ExitCode: -1, Probed: !strict}
	fail := func(reason string, err error) SmokeResult {
		res.Err = &RunError{Path: path, Platform: p, Kind: FailBinary, Reason: reason, Err: err}
		return res
	}
	if p.OS != "windows" || p.Arch != "amd64" {
		res.NotRun = fmt.Sprintf("wine64 runs windows/amd64 binaries only, not %s", p)
		return res
	}
	rep, err := ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return fail("missing binary", err)
	} else if err != nil {
		return fail("cannot inspect", err)
	}
	if rep.Format != "pe" || rep.Arch != "amd64" {
		return fail(fmt.Sprintf("not a windows/amd64 PE file (%s %s)", rep.Format, rep.Arch), nil)
	}
	if why := w.Setup(ctx); why != "" {
		res.NotRun = why
		return res
	}
	// The binary alone in a fresh directory of the prefix: wine looks for
	// DLLs beside the program and in its working directory.
	dir, err := os.MkdirTemp(filepath.Join(w.prefix, "drive_c"), "kiln-run-")
	if err != nil {
		res.NotRun = "wine prefix: " + err.Error()
		return res
	}
	defer os.RemoveAll(dir)
	name := filepath.Base(path)
	if !strings.EqualFold(filepath.Ext(name), ".exe") {
		name += ".exe"
	}
	exe := filepath.Join(dir, name)
	if err := copyExe(path, exe); err != nil {
		return fail("cannot copy it into the wine prefix", err)
	}
	return probe(ctx, &wineRun{w: w, dir: dir, exe: exe}, path, p, probes, strict, exit, timeout)
}

func copyExe(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o755)
}

// wineRun runs one binary under wine.
type wineRun struct {
	w        *Wine
	dir, exe string
}

func (r *wineRun) run(ctx context.Context, args []string, timeout time.Duration) attempt {
	argv := sandboxed(r.dir, append([]string{r.w.wine, r.exe}, args...)...)
	a := runCmd(ctx, r.w.bwrap, argv, r.w.env(r.w.prefix), timeout, true)
	a.args = args
	return a
}

// verdict classifies a run under wine like sandbox.verdict, reading
// wine's and the Go runtime's messages.
func (r *wineRun) verdict(a attempt, timeout time.Duration) (FailKind, string, int) {
	switch {
	case a.timedOut != nil && !a.cancelled:
		return FailTimeout, fmt.Sprintf("did not finish within %v", timeout), -1
	case a.timedOut != nil:
		return FailTimeout, "did not finish", -1
	case a.startErr != nil:
		return FailSandbox, "cannot start bwrap", -1
	case a.exit == -1:
		return FailSignal, "wine was killed", -1
	}
	lines := strings.Split(a.output, "\n")
	if a.exit != 0 {
		for i, l := range lines {
			if dll, ok := missingDLL(l); ok {
				if isSystemDLL(dll) {
					return failNoVerdict, "wine cannot run it: wine lacks the system DLL " + dll, i
				}
				return FailExec, "did not start: it needs " + dll + ", which is neither beside it nor a Windows system DLL", i
			}
			switch {
			case strings.HasPrefix(l, "wine: Call from ") && strings.Contains(l, "unimplemented function"):
				return failNoVerdict, "wine cannot run it: " + clip(strings.TrimPrefix(l, "wine: ")), i
			case strings.HasPrefix(l, "bwrap: "):
				return FailSandbox, "bubblewrap failed: " + clip(l), i
			case strings.HasPrefix(l, "wine: "), strings.HasPrefix(l, "Application could not be started"):
				return FailExec, "wine could not start it: " + clip(l), i
			}
		}
	}
	if a.exit == 2 {
		for i, l := range lines {
			// The Go runtime reports a missing system DLL itself.
			if dll, ok := strings.CutPrefix(l, "fatal error: "); ok && strings.HasSuffix(dll, ".dll not found") {
				return failNoVerdict, "wine cannot run it: wine lacks the system DLL " + strings.TrimSuffix(dll, " not found"), i
			}
			if isCrashLine(l) {
				return FailCrash, "Go runtime crash: " + clip(l), i
			}
		}
	}
	return "", "", -1
}

// missingDLL reads wine's loader error "...:err:module:import_dll Library
// foo.dll (which is needed by ...) not found".
func missingDLL(l string) (string, bool) {
	_, rest, ok := strings.Cut(l, ":err:module:import_dll Library ")
	if !ok || !strings.HasSuffix(l, " not found") {
		return "", false
	}
	dll, _, _ := strings.Cut(rest, " ")
	return dll, dll != ""
}
