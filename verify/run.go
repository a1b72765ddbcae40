package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

// RunResult is the outcome of one strict run of a binary in an empty root.
//
// A check that could not run has Ran false and says why in NotRun (a
// missing tool, a non-linux binary): callers must show it, not hide it. A
// check that ran and failed has Ran true and Err set. Err may also be set
// with Ran false when the binary itself is unusable (missing, unreadable).
type RunResult struct {
	Ran bool
	// NotRun says why the check could not run, e.g. "bwrap not found
	// (apt-get install bubblewrap)".
	NotRun string
	// ExitCode is the binary's exit code (-1 when killed or not started).
	ExitCode int
	// Output is the combined stdout and stderr (its last 64 KiB).
	Output string
	// Err says why the check failed: a *RunError.
	Err error
}

// FailKind classifies a run that failed; callers branch on it.
type FailKind string

const (
	// FailBinary: the file is missing or cannot be inspected.
	FailBinary FailKind = "binary"
	// FailSandbox: bubblewrap could not be started or set up the root.
	FailSandbox FailKind = "sandbox"
	// FailExec: the binary did not start (missing ELF interpreter, wrong
	// arch): "bwrap: execvp /app: ..." or "qemu: Could not open ...".
	FailExec FailKind = "exec"
	// FailCrash: the Go runtime crashed (exit 2 with "panic: ", "fatal
	// error: ", "SIGSEGV: ..." at the start of a line).
	FailCrash FailKind = "crash"
	// FailSignal: the binary died by a signal.
	FailSignal FailKind = "signal"
	// FailTimeout: the run did not end in time, or ctx was cancelled.
	FailTimeout FailKind = "timeout"
	// FailExit: a strict run ended normally with another exit code than
	// the one expected.
	FailExit FailKind = "exit"
)

// RunError reports a run in the empty root that did not end as expected.
type RunError struct {
	Path     string
	Platform matrix.Platform
	// Args are the arguments of the run that failed.
	Args []string
	Kind FailKind
	// Reason is a one-line verdict: "exit code 3, expected 0", "missing
	// interpreter /lib/ld-musl-x86_64.so.1 in the empty root", ...
	Reason string
	// Tail quotes the output: at most quoteLines lines, from the line that
	// shows the failure (a panic, bwrap's error) or else the last ones.
	Tail string
	Err  error
}

func (e *RunError) Error() string {
	msg := fmt.Sprintf("run %s (%s): %s", e.Path, e.Platform, e.Reason)
	if len(e.Args) > 0 {
		msg = fmt.Sprintf("run %s %s (%s): %s", e.Path, strings.Join(e.Args, " "), e.Platform, e.Reason)
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Tail != "" {
		msg += "\noutput:\n" + e.Tail
	}
	return msg
}

func (e *RunError) Unwrap() error { return e.Err }

const outputLimit = 64 << 10

// Run executes the linux binary at path, filed under p, with args in an
// empty root (bubblewrap: a tmpfs root holding only the binary, /dev, /proc
// and /tmp, every namespace unshared, an empty environment) and expects it
// to exit with wantExit; a Go runtime crash fails even with that code. A
// binary for another arch than the host's runs through qemu-ARCH-static,
// bound into the root. The run is bounded by ctx only: callers pass a
// context with a timeout. Smoke is the check for binaries whose arguments
// are not known.
func Run(ctx context.Context, path string, p matrix.Platform, args []string, wantExit int) RunResult {
	if args == nil {
		args = []string{}
	}
	s := smoke(ctx, path, p, [][]string{args}, true, wantExit, 0)
	return RunResult{Ran: s.Ran, NotRun: s.NotRun, ExitCode: s.ExitCode, Output: s.Output, Err: s.Err}
}

// sandbox is a binary ready to run in an empty root.
type sandbox struct {
	path  string
	p     matrix.Platform
	rep   *Report
	bwrap string
	argv  []string // bwrap's arguments up to the binary's
}

// prepare inspects the binary and finds the tools to run it. It returns a
// reason in notRun when a tool is missing, a *RunError when the binary is
// unusable.
func prepare(path string, p matrix.Platform) (sb *sandbox, notRun string, err error) {
	fail := func(reason string, err error) (*sandbox, string, error) {
		return nil, "", &RunError{Path: path, Platform: p, Kind: FailBinary, Reason: reason, Err: err}
	}
	if p.OS != "linux" {
		return nil, "not a linux binary", nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail("bad path", err)
	}
	rep, err := ReadFile(abs)
	if errors.Is(err, os.ErrNotExist) {
		return fail("missing binary", err)
	} else if err != nil {
		return fail("cannot inspect", err)
	}
	sb = &sandbox{path: path, p: p, rep: rep, argv: []string{
		"--tmpfs", "/", "--ro-bind", abs, "/app", "--dev", "/dev", "--proc", "/proc",
		"--tmpfs", "/tmp", "--unshare-all", "--die-with-parent", "--clearenv",
		"--setenv", "HOME", "/tmp", // many CLIs need a home to start; an empty one
	}}
	tools := RunTools(p)
	if !native(p.Arch) && len(tools) < 2 {
		return nil, "no qemu emulator known for " + p.Arch, nil
	}
	var paths []string
	for _, t := range tools {
		path, err := exec.LookPath(t.Command)
		if err != nil {
			return nil, t.NotFound(), nil
		}
		paths = append(paths, path)
	}
	sb.bwrap = paths[0]
	if len(paths) > 1 {
		sb.argv = append(sb.argv, "--ro-bind", paths[1], "/qemu", "--", "/qemu", "/app")
	} else {
		sb.argv = append(sb.argv, "--", "/app")
	}
	return sb, "", nil
}

// attempt is what one run did.
type attempt struct {
	args     []string
	exit     int // -1 when bwrap did not exit normally
	output   string
	timedOut error // the context error when the run did not finish
	// cancelled: the caller's ctx ended, not the run's own timeout.
	cancelled bool
	startErr  error // bwrap could not be started
}

// run runs the binary once with args, within timeout (0: ctx only).
func (sb *sandbox) run(parent context.Context, args []string, timeout time.Duration) attempt {
	a := runCmd(parent, sb.bwrap, append(sb.argv[:len(sb.argv):len(sb.argv)], args...), nil, timeout, false)
	a.args = args
	return a
}

// runCmd runs name with argv once, with the environment env (nil: the
// process's), within timeout (0: ctx only), and records how it ended.
// toFile sends the output to a temporary file instead of a pipe, for
// commands that leave a daemon holding their stdout (wine's wineserver):
// a pipe would stay open after the command ended.
func runCmd(parent context.Context, name string, argv, env []string, timeout time.Duration, toFile bool) attempt {
	ctx := parent
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(parent, timeout)
		defer cancel()
	}
	a := attempt{exit: -1}
	var out tailBuffer
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &out, &out
	var file *os.File
	if toFile {
		f, err := os.CreateTemp("", "kiln-run-*.out")
		if err != nil {
			a.startErr = err
			return a
		}
		defer os.Remove(f.Name())
		defer f.Close()
		cmd.Stdout, cmd.Stderr, file = f, f, f
	}
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if file != nil {
		if _, err := file.Seek(max(0, fileSize(file)-outputLimit), io.SeekStart); err == nil {
			io.Copy(&out, file)
		}
	}
	a.output = out.String()
	if ctx.Err() != nil {
		a.timedOut, a.cancelled = ctx.Err(), parent.Err() != nil
		return a
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		a.exit = ee.ExitCode()
	case err != nil:
		a.startErr = err
	default:
		a.exit = 0
	}
	return a
}

func fileSize(f *os.File) int64 {
	fi, err := f.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}

// verdict classifies an attempt: "" when the binary started and ended
// normally (any exit code), else the kind of failure, a reason and the
// index of the output line that shows it (-1: none).
func (sb *sandbox) verdict(a attempt, timeout time.Duration) (kind FailKind, reason string, line int) {
	lines := strings.Split(a.output, "\n")
	switch {
	case a.timedOut != nil && !a.cancelled:
		return FailTimeout, fmt.Sprintf("did not finish within %v", timeout), -1
	case a.timedOut != nil:
		return FailTimeout, "did not finish", -1
	case a.startErr != nil:
		return FailSandbox, "cannot start bwrap", -1
	case a.exit == -1:
		return FailSignal, "bwrap was killed", -1
	}
	if a.exit != 0 {
		for i, l := range lines {
			switch {
			case strings.HasPrefix(l, "qemu: uncaught target signal"):
				// The guest died by a signal after it started.
			case strings.HasPrefix(l, "bwrap: execvp "), strings.HasPrefix(l, "qemu: "):
				if sb.rep.Interp != "" {
					return FailExec, "missing interpreter " + sb.rep.Interp + " in the empty root", i
				}
				return FailExec, "did not start: " + clip(l), i
			case strings.HasPrefix(l, "bwrap: "):
				return FailSandbox, "bubblewrap failed: " + clip(l), i
			}
		}
	}
	if a.exit == 2 { // the Go runtime's exit code for panics and fatal errors
		for i, l := range lines {
			if isCrashLine(l) {
				return FailCrash, "Go runtime crash: " + clip(l), i
			}
		}
	}
	// bwrap exits 128+N when the binary dies by signal N; qemu kills
	// itself with the guest's signal.
	if a.exit > 128 && a.exit <= 128+64 {
		sig := syscall.Signal(a.exit - 128)
		return FailSignal, fmt.Sprintf("killed by signal %d (%v)", int(sig), sig), -1
	}
	return "", "", -1
}

// isCrashLine reports whether l is how the Go runtime starts a crash report.
func isCrashLine(l string) bool {
	if strings.HasPrefix(l, "panic: ") || strings.HasPrefix(l, "fatal error: ") || strings.HasPrefix(l, "[signal SIG") {
		return true
	}
	// "SIGSEGV: segmentation violation", "SIGABRT: abort", ...
	name, _, ok := strings.Cut(l, ": ")
	if !ok || len(name) < 5 || !strings.HasPrefix(name, "SIG") {
		return false
	}
	for _, c := range name[3:] {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// clip shortens a quoted line to 120 bytes.
func clip(l string) string {
	if len(l) > 120 {
		return l[:120] + "..."
	}
	return l
}

// quoteLines is how many lines of output a failure quotes.
const quoteLines = 5

// quote returns at most quoteLines lines of out, each at most 200 bytes:
// from line from when it is >= 0, else the last ones, noting what it left
// out.
func quote(out string, from int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return ""
	}
	start := max(len(lines)-quoteLines, 0)
	if from >= 0 && from < len(lines) {
		start = from
	}
	end := min(start+quoteLines, len(lines))
	var q []string
	if start > 0 {
		q = append(q, fmt.Sprintf("[%d lines before]", start))
	}
	for _, l := range lines[start:end] {
		if len(l) > 200 {
			l = l[:200] + "..."
		}
		q = append(q, l)
	}
	if end < len(lines) {
		q = append(q, fmt.Sprintf("[%d more lines]", len(lines)-end))
	}
	return strings.Join(q, "\n")
}

// tailBuffer keeps the last outputLimit bytes written to it.
type tailBuffer struct{ b bytes.Buffer }

func (t *tailBuffer) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > outputLimit {
		p = p[len(p)-outputLimit:]
	}
	if over := t.b.Len() + len(p) - outputLimit; over > 0 {
		t.b.Next(over)
	}
	t.b.Write(p)
	return n, nil
}

func (t *tailBuffer) String() string { return t.b.String() }
