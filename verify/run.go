package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

// RunResult is the outcome of running a binary in an empty root.
//
// A check that could not run has Ran false and says why in NotRun (a
// missing tool, a non-linux binary): callers must show it, not hide it. A
// check that ran and failed has Ran true and Err set. Err may also be set
// with Ran false when the binary itself is unusable (missing, unreadable).
type RunResult struct {
	Ran bool
	// NotRun says why the check could not run, e.g. "bwrap not found".
	NotRun string
	// ExitCode is the binary's exit code (-1 when killed or not started).
	ExitCode int
	// Output is the combined stdout and stderr (its last 64 KiB).
	Output string
	// Err says why the check failed.
	Err error
}

// RunError reports a run in the empty root that did not end as expected.
type RunError struct {
	Path     string
	Platform matrix.Platform
	// Reason is a one-line verdict: "exit code 3, expected 0", "missing
	// interpreter /lib/ld-musl-x86_64.so.1 in the empty root", ...
	Reason string
	// Tail is the end of the output.
	Tail string
	Err  error
}

func (e *RunError) Error() string {
	msg := fmt.Sprintf("run %s (%s): %s", e.Path, e.Platform, e.Reason)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	if e.Tail != "" {
		msg += "\noutput:\n" + e.Tail
	}
	return msg
}

func (e *RunError) Unwrap() error { return e.Err }

// qemuArch maps GOARCH to the qemu-user name, for qemu-NAME-static.
var qemuArch = map[string]string{
	"amd64": "x86_64", "386": "i386", "arm64": "aarch64", "arm": "arm",
	"ppc64": "ppc64", "ppc64le": "ppc64le", "riscv64": "riscv64", "s390x": "s390x",
	"mips": "mips", "mipsle": "mipsel", "mips64": "mips64", "mips64le": "mips64el",
	"loong64": "loongarch64",
}

const outputLimit = 64 << 10

// Run executes the linux binary at path, filed under p, with args in an
// empty root (bubblewrap: a tmpfs root holding only the binary, /dev, /proc
// and /tmp, every namespace unshared, an empty environment) and expects it
// to exit with wantExit. A binary for another arch than the host's runs
// through qemu-ARCH-static, bound into the root. The run is bounded by ctx:
// callers pass a context with a timeout.
func Run(ctx context.Context, path string, p matrix.Platform, args []string, wantExit int) RunResult {
	res := RunResult{ExitCode: -1}
	if p.OS != "linux" {
		res.NotRun = "not a linux binary"
		return res
	}
	fail := func(reason string, err error) RunResult {
		res.Err = &RunError{Path: path, Platform: p, Reason: reason, Tail: tail(res.Output), Err: err}
		return res
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail("bad path", err)
	}
	if _, err := os.Stat(abs); err != nil {
		return fail("missing binary", err)
	}
	rep, err := ReadFile(abs)
	if err != nil {
		return fail("cannot inspect", err)
	}
	bwrap, err := exec.LookPath("bwrap")
	if err != nil {
		res.NotRun = "bwrap not found"
		return res
	}
	argv := []string{
		"--tmpfs", "/", "--ro-bind", abs, "/app", "--dev", "/dev", "--proc", "/proc",
		"--tmpfs", "/tmp", "--unshare-all", "--die-with-parent", "--clearenv",
	}
	if native(p.Arch) {
		argv = append(argv, "--", "/app")
	} else {
		q, ok := qemuArch[p.Arch]
		if !ok {
			res.NotRun = "no qemu emulator known for " + p.Arch
			return res
		}
		qemu, err := exec.LookPath("qemu-" + q + "-static")
		if err != nil {
			res.NotRun = "qemu-" + q + "-static not found"
			return res
		}
		argv = append(argv, "--ro-bind", qemu, "/qemu", "--", "/qemu", "/app")
	}
	argv = append(argv, args...)

	var out tailBuffer
	cmd := exec.CommandContext(ctx, bwrap, argv...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	res.Output = out.String()
	if ctx.Err() != nil {
		return fail("did not finish", ctx.Err())
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.ExitCode = ee.ExitCode()
	case err != nil:
		return fail("cannot start bwrap", err)
	default:
		res.ExitCode = 0
	}
	res.Ran = true
	if res.ExitCode == wantExit {
		return res
	}
	if rep.Interp != "" && strings.Contains(res.Output, "No such file or directory") {
		return fail("missing interpreter "+rep.Interp+" in the empty root", nil)
	}
	return fail(fmt.Sprintf("exit code %d, expected %d", res.ExitCode, wantExit), nil)
}

// native reports whether the host runs arch without an emulator.
func native(arch string) bool {
	return arch == runtime.GOARCH || runtime.GOARCH == "amd64" && arch == "386"
}

// tail returns the last lines of out, at most about 2 KiB.
func tail(out string) string {
	out = strings.TrimRight(out, "\n")
	const max = 2 << 10
	if len(out) > max {
		out = out[len(out)-max:]
		if i := strings.IndexByte(out, '\n'); i >= 0 {
			out = out[i+1:]
		}
	}
	return out
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
