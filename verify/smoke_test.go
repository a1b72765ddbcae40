package verify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// TestSmoke runs real CLIs in the empty root with the default probes and
// with configured arguments. Each row needs bwrap and, for another arch,
// its qemu; a row skips (or fails in CI) only for the tools it needs.
func TestSmoke(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		build    string
		platform string
		opts     SmokeOptions
		want     string   // String() of the result
		kind     FailKind // "" = passes
		tried    []string // the probes run, joined
		quote    string   // in the error's quoted output
	}{
		{"version flag", "version", "linux/amd64", SmokeOptions{},
			"ok: --version exit 0", "", []string{"--version"}, ""},
		{"std flag without a version flag", "noversion", "linux/amd64", SmokeOptions{},
			"ok: --help exit 0", "", []string{"--version", "-version", "--help"}, ""},
		{"pflag without a version flag", "pflag", "linux/amd64", SmokeOptions{},
			"ok: --help exit 0", "", []string{"--version", "-version", "--help"}, ""},
		{"pflag under qemu", "pflag-arm64", "linux/arm64", SmokeOptions{},
			"ok: --help exit 0", "", []string{"--version", "-version", "--help"}, ""},
		{"no flags at all, exits 2", "static", "linux/amd64", SmokeOptions{},
			"ok: --version exit 2 (no probe exited 0)", "", []string{"--version", "-version", "--help", "-h"}, ""},
		{"no flags under qemu", "linux-arm64", "linux/arm64", SmokeOptions{},
			"ok: --version exit 2 (no probe exited 0)", "", []string{"--version", "-version", "--help", "-h"}, ""},
		{"panics at start", "panic", "linux/amd64", SmokeOptions{},
			"failed: --version: Go runtime crash: panic: cannot start", FailCrash, []string{"--version"}, "goroutine 1 [running]"},
		{"nil dereference", "nil", "linux/amd64", SmokeOptions{},
			"failed: --version: Go runtime crash: panic: runtime error: invalid memory address or nil pointer dereference", FailCrash,
			[]string{"--version"}, "[signal SIGSEGV"},
		{"killed", "kill", "linux/amd64", SmokeOptions{},
			"failed: --version: killed by signal 9 (killed)", FailSignal, []string{"--version"}, "starting [--version]"},
		{"hangs", "hang", "linux/amd64", SmokeOptions{Timeout: time.Second},
			"failed: --version: did not finish within 1s; a program that keeps running (a server) needs Verify.Args that make it exit",
			FailTimeout, []string{"--version"}, "starting [--version]"},
		{"glibc dynamic", "cgo-glibc", "linux/amd64", SmokeOptions{},
			"failed: --version: missing interpreter /lib64/ld-linux-x86-64.so.2 in the empty root", FailExec,
			[]string{"--version"}, "bwrap: execvp /app: No such file or directory"},
		{"pie without cgo", "pie", "linux/amd64", SmokeOptions{},
			"failed: --version: missing interpreter /lib64/ld-linux-x86-64.so.2 in the empty root", FailExec,
			[]string{"--version"}, "bwrap: execvp /app"},
		{"configured args", "static", "linux/amd64", SmokeOptions{Args: []string{"3"}, Exit: 3},
			"ok: 3 exit 3", "", []string{"3"}, ""},
		{"configured no args", "noversion", "linux/amd64", SmokeOptions{Args: []string{}},
			"ok: no args exit 0", "", []string{""}, ""},
		{"configured args, wrong exit", "static", "linux/amd64", SmokeOptions{Args: []string{"3"}},
			"failed: 3: exit code 3, expected 0", FailExit, []string{"3"}, "hello [3]"},
		{"configured args under qemu, wrong exit", "linux-arm64", "linux/arm64", SmokeOptions{Args: []string{"4"}, Exit: 5},
			"failed: 4: exit code 4, expected 5", FailExit, []string{"4"}, "hello [4]"},
		{"configured exit 2 still fails on a panic", "panic", "linux/amd64", SmokeOptions{Args: []string{"x"}, Exit: 2},
			"failed: x: Go runtime crash: panic: cannot start", FailCrash, []string{"x"}, "panic: cannot start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := matrix.MustParse(tt.platform)
			for _, tool := range RunTools(p) {
				testtool.Need(t, tool.Command)
			}
			path := bin(t, tt.build) // build before the run's timeout starts
			res := Smoke(runCtx(t), path, p, tt.opts)
			if got := res.String(); got != tt.want {
				t.Errorf("Smoke(%s).String() = %q, want %q\noutput:\n%s", tt.build, got, tt.want, res.Output)
			}
			var tried []string
			for _, pr := range res.Tried {
				tried = append(tried, strings.Join(pr.Args, " "))
			}
			if !slices.Equal(tried, tt.tried) {
				t.Errorf("Smoke(%s).Tried = %q, want %q", tt.build, tried, tt.tried)
			}
			if !res.Ran || res.NotRun != "" || res.Probed != (tt.opts.Args == nil) {
				t.Errorf("Smoke(%s) = Ran %v, NotRun %q, Probed %v; want it run, Probed %v", tt.build, res.Ran, res.NotRun, res.Probed, tt.opts.Args == nil)
			}
			if tt.kind == "" {
				if res.Err != nil {
					t.Errorf("Smoke(%s) error = %v, want none", tt.build, res.Err)
				}
				return
			}
			var re *RunError
			if !errors.As(res.Err, &re) || re.Kind != tt.kind {
				t.Fatalf("Smoke(%s) error = %#v, want a *RunError of kind %q", tt.build, res.Err, tt.kind)
			}
			if !strings.Contains(re.Tail, tt.quote) || strings.Count(re.Tail, "\n") >= quoteLines+2 {
				t.Errorf("Smoke(%s) quotes %q, want at most %d lines containing %q", tt.build, re.Tail, quoteLines, tt.quote)
			}
			if !strings.Contains(res.Err.Error(), path) || !strings.Contains(res.Err.Error(), tt.platform) {
				t.Errorf("Smoke(%s) error = %q, want the path and platform in it", tt.build, res.Err)
			}
		})
	}
}

// TestSmokeNotRun: a missing tool names its Debian package, and a
// non-linux binary is not run; neither is an error.
func TestSmokeNotRun(t *testing.T) {
	// t.Setenv: not parallel.
	darwin := bin(t, "darwin-arm64")
	static := bin(t, "static")
	ctx := runCtx(t)
	if res := Smoke(ctx, darwin, matrix.MustParse("darwin/arm64"), SmokeOptions{}); res.String() != "not run: not a linux binary" || res.Err != nil {
		t.Errorf("Smoke(darwin) = %+v, want not run", res)
	}
	t.Setenv("PATH", t.TempDir())
	res := Smoke(ctx, static, matrix.MustParse("linux/amd64"), SmokeOptions{})
	if want := "not run: bwrap not found (apt-get install bubblewrap)"; res.String() != want || res.Ran || res.Err != nil {
		t.Errorf("Smoke without bwrap = %q (%+v), want %q", res, res, want)
	}
}

func TestRunTools(t *testing.T) {
	t.Parallel()
	bwrap := Tool{"bwrap", "bubblewrap"}
	qemu := func(name string) Tool { return Tool{"qemu-" + name + "-static", "qemu-user-static"} }
	tests := []struct {
		platform string
		want     []Tool
	}{
		{"darwin/arm64", nil},
		{"windows/amd64", nil},
		{"linux/arm64", []Tool{bwrap, qemu("aarch64")}},
		{"linux/arm/7", []Tool{bwrap, qemu("arm")}},
		{"linux/riscv64", []Tool{bwrap, qemu("riscv64")}},
		{"linux/mips64le", []Tool{bwrap, qemu("mips64el")}},
	}
	for _, tt := range tests {
		p := matrix.MustParse(tt.platform)
		want := tt.want
		if p.OS == "linux" && native(p.Arch) {
			want = []Tool{bwrap}
		}
		if got := RunTools(p); !slices.Equal(got, want) {
			t.Errorf("RunTools(%s) = %v, want %v", tt.platform, got, want)
		}
	}
	if got, want := qemu("aarch64").NotFound(), "qemu-aarch64-static not found (apt-get install qemu-user-static)"; got != want {
		t.Errorf("Tool.NotFound() = %q, want %q", got, want)
	}
}

// TestQuote: a failure quotes at most quoteLines lines, from the line that
// shows the failure or else the last ones.
func TestQuote(t *testing.T) {
	t.Parallel()
	var usage []string
	for i := range 101 {
		usage = append(usage, fmt.Sprintf("  -flag%d  does %d", i, i))
	}
	out := strings.Join(usage, "\n") + "\n"
	tests := []struct {
		from int
		want string
	}{
		{-1, "[96 lines before]\n  -flag96  does 96\n  -flag97  does 97\n  -flag98  does 98\n  -flag99  does 99\n  -flag100  does 100"},
		{0, "  -flag0  does 0\n  -flag1  does 1\n  -flag2  does 2\n  -flag3  does 3\n  -flag4  does 4\n[96 more lines]"},
		{50, "[50 lines before]\n  -flag50  does 50\n  -flag51  does 51\n  -flag52  does 52\n  -flag53  does 53\n  -flag54  does 54\n[46 more lines]"},
	}
	for _, tt := range tests {
		if got := quote(out, tt.from); got != tt.want {
			t.Errorf("quote(101 lines, %d) = %q, want %q", tt.from, got, tt.want)
		}
	}
	if got := quote("", -1); got != "" {
		t.Errorf("quote(\"\") = %q, want \"\"", got)
	}
	if got := quote(strings.Repeat("x", 300), -1); got != strings.Repeat("x", 200)+"..." {
		t.Errorf("quote(300 x) = %q, want 200 x and ...", got)
	}
}

// TestVerdict classifies runs by their exit code and output, including
// messages the real-binary tests do not provoke.
func TestVerdict(t *testing.T) {
	t.Parallel()
	static := &sandbox{rep: &Report{}}
	dynamic := &sandbox{rep: &Report{Interp: "/lib/ld-linux-aarch64.so.1"}}
	tests := []struct {
		sb     *sandbox
		a      attempt
		kind   FailKind
		reason string
	}{
		{static, attempt{exit: 0, output: "usage: x\n"}, "", ""},
		{static, attempt{exit: 2, output: "flag provided but not defined: -version\nUsage of /app:\n"}, "", ""},
		{static, attempt{exit: 1, output: "Error: unknown flag: --version\n"}, "", ""},
		{static, attempt{exit: 0, output: "panic: documented in the help text\n"}, "", ""},
		{dynamic, attempt{exit: 255, output: "qemu: Could not open '/lib/ld-linux-aarch64.so.1': No such file or directory\n"},
			FailExec, "missing interpreter /lib/ld-linux-aarch64.so.1 in the empty root"},
		{static, attempt{exit: 255, output: "qemu: /app: Invalid ELF image for this architecture\n"},
			FailExec, "did not start: qemu: /app: Invalid ELF image for this architecture"},
		{static, attempt{exit: 139, output: "started\nqemu: uncaught target signal 11 (Segmentation fault) - core dumped\n"},
			FailSignal, "killed by signal 11 (segmentation fault)"},
		{static, attempt{exit: 1, output: "bwrap: Creating new namespace failed: Operation not permitted\n"},
			FailSandbox, "bubblewrap failed: bwrap: Creating new namespace failed: Operation not permitted"},
		{static, attempt{exit: 2, output: "x\nfatal error: all goroutines are asleep - deadlock!\n"},
			FailCrash, "Go runtime crash: fatal error: all goroutines are asleep - deadlock!"},
		{static, attempt{exit: 2, output: "SIGABRT: abort\nPC=0x47a1c1 m=0 sigcode=0\n"}, FailCrash, "Go runtime crash: SIGABRT: abort"},
		{static, attempt{exit: 137}, FailSignal, "killed by signal 9 (killed)"},
		{static, attempt{exit: -1}, FailSignal, "bwrap was killed"},
	}
	for _, tt := range tests {
		kind, reason, _ := tt.sb.verdict(tt.a, time.Second)
		if kind != tt.kind || reason != tt.reason {
			t.Errorf("verdict(exit %d, %q) = %q, %q, want %q, %q", tt.a.exit, tt.a.output, kind, reason, tt.kind, tt.reason)
		}
	}
}
