package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

// DefaultProbes are the arguments Smoke tries, in order, when no arguments
// are configured: a version flag in GNU and Go style, then help.
var DefaultProbes = [][]string{{"--version"}, {"-version"}, {"--help"}, {"-h"}}

// DefaultSmokeTimeout bounds each run of Smoke when SmokeOptions.Timeout
// is zero. A Go binary answers a flag in milliseconds, under qemu in well
// under a second.
const DefaultSmokeTimeout = 10 * time.Second

// SmokeOptions configure Smoke.
type SmokeOptions struct {
	// Args, when not nil, are the arguments of one strict run: it must end
	// with exit code Exit. An empty non-nil slice runs without arguments.
	// Nil means probing with DefaultProbes.
	Args []string
	// Exit is the exit code a strict run must end with.
	Exit int
	// Timeout bounds each run (0: DefaultSmokeTimeout); ctx bounds them all.
	Timeout time.Duration
}

// Probe is one run Smoke made.
type Probe struct {
	Args     []string
	ExitCode int // -1 when the run did not end normally
}

// SmokeResult is the outcome of Smoke: structured, printed with String.
//
// NotRun set: the check could not run (a missing tool, a non-linux binary)
// and callers must show it. Err set: the check failed, a *RunError whose
// Kind says how. Otherwise it passed.
type SmokeResult struct {
	// Ran is true when the binary was started in the empty root.
	Ran bool
	// NotRun says why the check could not run, e.g. "bwrap not found
	// (apt-get install bubblewrap)"; RunTools lists the tools as data.
	NotRun string
	// Probed is true when the arguments were probed (SmokeOptions.Args nil).
	Probed bool
	// Args are the arguments of the run that decided; ExitCode and Output
	// are that run's.
	Args     []string
	ExitCode int
	// Output is the deciding run's combined stdout and stderr (its last
	// 64 KiB).
	Output string
	// Tried lists every run in order.
	Tried []Probe
	// Err says why the check failed.
	Err error
	// Via names what ran a binary that does not run in the empty root:
	// "wine" for Wine.Smoke; empty otherwise.
	Via string
}

// String is the one-line form for a table: "ok: --version exit 0", "ok:
// --version exit 2 (no probe exited 0)", "failed: --version: Go runtime
// crash: panic: ...", "not run: bwrap not found (apt-get install bubblewrap)";
// "wine: ok: --version exit 0" for a run under wine.
func (r SmokeResult) String() string {
	if r.Via != "" {
		via := r
		via.Via = ""
		return r.Via + ": " + via.String()
	}
	switch {
	case r.NotRun != "":
		return "not run: " + r.NotRun
	case r.Err != nil:
		reason := r.Err.Error()
		if re, ok := r.Err.(*RunError); ok {
			reason = re.Reason
		}
		if !r.Ran {
			return "failed: " + reason
		}
		return "failed: " + argsString(r.Args) + ": " + reason
	}
	s := fmt.Sprintf("ok: %s exit %d", argsString(r.Args), r.ExitCode)
	if r.Probed && r.ExitCode != 0 {
		s += " (no probe exited 0)"
	}
	return s
}

func argsString(args []string) string {
	if len(args) == 0 {
		return "no args"
	}
	return strings.Join(args, " ")
}

// Smoke runs the linux binary at path, filed under p, in an empty root (as
// Run does) to show what that root is for: the binary loads and its Go
// runtime reaches main.
//
// With SmokeOptions.Args nil it runs DefaultProbes in order and decides by
// how the program ended, not by its exit code, since CLIs answer an
// unknown flag differently (pflag's "unknown shorthand flag: 'e' in
// -ersion", the flag package's "flag provided but not defined", both exit
// 2). It stops at the first probe that exits 0. A probe that exits with
// another code after running normally does not fail; when no probe exits 0
// the first such probe decides and the check passes. It fails at the first
// probe that did not run normally:
//
//   - exec failures: "bwrap: execvp /app: No such file or directory" (a
//     missing ELF interpreter), qemu's "Could not open ...";
//   - a Go runtime crash: exit code 2 with a line starting "panic: ",
//     "fatal error: ", "[signal SIG..." or "SIGSEGV: ..." (any SIGNAME);
//   - death by a signal (bwrap's exit code 128+N);
//   - a timeout: a program that ignores these flags and keeps running (a
//     server) cannot be told from a hang, so it fails with a message
//     asking for arguments that make it exit.
//
// With SmokeOptions.Args set, one strict run must end normally with exit
// code Exit. Failures quote at most 5 lines of output.
func Smoke(ctx context.Context, path string, p matrix.Platform, opts SmokeOptions) SmokeResult {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultSmokeTimeout
	}
	if opts.Args != nil {
		return smoke(ctx, path, p, [][]string{opts.Args}, true, opts.Exit, timeout)
	}
	return smoke(ctx, path, p, DefaultProbes, false, 0, timeout)
}

// smoke runs each of probes in an empty root until one decides. strict:
// one run that must exit with exit.
func smoke(ctx context.Context, path string, p matrix.Platform, probes [][]string, strict bool, exit int, timeout time.Duration) SmokeResult {
	sb, notRun, err := prepare(path, p)
	if notRun != "" || err != nil {
		return SmokeResult{ExitCode: -1, Probed: !strict, NotRun: notRun, Err: err}
	}
	return probe(ctx, sb, path, p, probes, strict, exit, timeout)
}

// runner runs a binary once and says how the run ended: the empty root
// (sandbox) or wine.
type runner interface {
	run(ctx context.Context, args []string, timeout time.Duration) attempt
	// verdict is "" for a run that ended normally, else the failure's
	// kind, reason and the output line that shows it (-1: none).
	verdict(a attempt, timeout time.Duration) (kind FailKind, reason string, line int)
}

// failNoVerdict is a verdict that the runner could not judge the binary
// (wine lacks something it needs): the result is not run, with the reason.
const failNoVerdict FailKind = "no verdict"

// probe runs each of probes with rn until one decides.
func probe(ctx context.Context, rn runner, path string, p matrix.Platform, probes [][]string, strict bool, exit int, timeout time.Duration) SmokeResult {
	res := SmokeResult{ExitCode: -1, Probed: !strict}
	var normal *attempt // the first probe that ended normally
	for _, args := range probes {
		a := rn.run(ctx, args, timeout)
		res.Ran = res.Ran || a.startErr == nil
		res.Tried = append(res.Tried, Probe{Args: args, ExitCode: a.exit})
		kind, reason, line := rn.verdict(a, timeout)
		if kind == failNoVerdict {
			res.Ran, res.NotRun = false, reason
			res.Args, res.ExitCode, res.Output = args, a.exit, a.output
			return res
		}
		if kind == "" && strict && a.exit != exit {
			kind, reason = FailExit, fmt.Sprintf("exit code %d, expected %d", a.exit, exit)
		}
		if kind == FailTimeout && !strict && !a.cancelled {
			reason += "; a program that keeps running (a server) needs Verify.Args that make it exit"
		}
		if kind != "" {
			res.Args, res.ExitCode, res.Output = args, a.exit, a.output
			res.Err = &RunError{Path: path, Platform: p, Args: args, Kind: kind, Reason: reason,
				Tail: quote(a.output, line), Err: runErr(a)}
			return res
		}
		if a.exit == 0 || strict {
			res.Args, res.ExitCode, res.Output = args, a.exit, a.output
			return res
		}
		if normal == nil {
			normal = &a
		}
	}
	res.Args, res.ExitCode, res.Output = normal.args, normal.exit, normal.output
	return res
}

// runErr is the error behind a failed attempt, if any.
func runErr(a attempt) error {
	if a.timedOut != nil {
		return a.timedOut
	}
	return a.startErr
}
