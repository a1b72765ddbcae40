package apt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Reasons Install cannot run apt-get at all; they come wrapped in an *Error.
var (
	ErrNoAptGet     = errors.New("apt-get not found (not a Debian-based system?)")
	ErrNoSudo       = errors.New("not root and sudo is not installed")
	ErrSudoPassword = errors.New("sudo needs a password (kiln runs only `sudo -n`, it never prompts)")
)

// Error is a failed Install: every independent failure, and the packages a
// user should install by hand. Its message ends with the exact commands.
type Error struct {
	Packages []string
	Errs     []error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "install %s:", strings.Join(e.Packages, " "))
	for _, err := range e.Errs {
		b.WriteString("\n\t- " + strings.ReplaceAll(err.Error(), "\n", "\n\t  "))
	}
	fmt.Fprintf(&b, "\n\tinstall them by hand as root: apt-get update && %s", Line(e.Packages))
	return b.String()
}

func (e *Error) Unwrap() []error { return e.Errs }

// CommandError is a command that failed, with the end of its output.
type CommandError struct {
	Argv   []string
	Output string // last lines of combined stdout and stderr
	Err    error
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("%s: %v", strings.Join(e.Argv, " "), e.Err)
	if e.Output != "" {
		msg += "\n" + e.Output
	}
	return msg
}

func (e *CommandError) Unwrap() error { return e.Err }

// Option configures Install. The options are test seams and unexported.
type Option func(*options)

type options struct {
	run      func(ctx context.Context, argv, env []string) ([]byte, error)
	uid      int
	lookPath func(file string) (string, error)
	env      []string
	state    *state
}

// state remembers whether apt-get update ran; Install holds its lock while
// apt runs, so installs of one process never race for the dpkg lock.
type state struct {
	mu      sync.Mutex
	updated bool
}

var process state

func withRunner(f func(ctx context.Context, argv, env []string) ([]byte, error)) Option {
	return func(o *options) { o.run = f }
}
func withUID(uid int) Option                             { return func(o *options) { o.uid = uid } }
func withLookPath(f func(string) (string, error)) Option { return func(o *options) { o.lookPath = f } }
func withState(s *state) Option                          { return func(o *options) { o.state = s } }

// Install installs pkgs with apt-get, telling the user on w what it installs.
// It runs `apt-get update` once per process (again after a failed one), then
// `apt-get install -y --no-install-recommends PKGS` with
// DEBIAN_FRONTEND=noninteractive: directly as root, else through `sudo -n`.
// It never prompts for a password. Failures are an *Error holding every
// independent cause (ErrNoAptGet, ErrNoSudo, ErrSudoPassword, *CommandError)
// and the line to run by hand. An update that fails before an install that
// succeeds is only a warning on w. No packages is a no-op.
func Install(ctx context.Context, pkgs []string, w io.Writer, opts ...Option) error {
	pkgs = dedupe(pkgs)
	if len(pkgs) == 0 {
		return nil
	}
	env := installEnv(os.Getenv)
	o := options{run: run, uid: os.Getuid(), env: env, state: &process}
	o.lookPath = func(file string) (string, error) {
		if p, ok := lookPathIn(file, envValue(o.env, "PATH")); ok {
			return p, nil
		}
		return "", exec.ErrNotFound
	}
	for _, opt := range opts {
		opt(&o)
	}

	var errs []error
	for _, p := range pkgs {
		if !validName(p) {
			errs = append(errs, fmt.Errorf("%q is not a Debian package name", p))
		}
	}
	if len(errs) > 0 {
		return &Error{Packages: pkgs, Errs: errs}
	}
	aptGet, err := o.lookPath("apt-get")
	if err != nil {
		errs = append(errs, ErrNoAptGet)
	}
	var prefix []string // how to become root
	if o.uid != 0 {
		sudo, err := o.lookPath("sudo")
		if err != nil {
			errs = append(errs, ErrNoSudo)
		} else if out, err := o.run(ctx, []string{sudo, "-n", "true"}, o.env); err != nil {
			errs = append(errs, &CommandError{Argv: []string{"sudo", "-n", "true"}, Output: tail(out), Err: fmt.Errorf("%w (%v)", ErrSudoPassword, err)})
		} else {
			// sudo resets the environment: pass the frontend on its command line.
			prefix = []string{sudo, "-n", "DEBIAN_FRONTEND=noninteractive"}
		}
	}
	if len(errs) > 0 {
		return &Error{Packages: pkgs, Errs: errs}
	}

	how := ""
	if prefix != nil {
		how = " (with sudo)"
	}
	fmt.Fprintf(w, "kiln: installing Debian packages%s: %s\n", how, strings.Join(pkgs, " "))

	o.state.mu.Lock()
	defer o.state.mu.Unlock()
	var updateErr error
	if !o.state.updated {
		argv := append(append([]string{}, prefix...), aptGet, "update")
		start := time.Now()
		if out, err := o.run(ctx, argv, o.env); err != nil {
			updateErr = &CommandError{Argv: argv, Output: tail(out), Err: err}
		} else {
			o.state.updated = true
			fmt.Fprintf(w, "kiln: apt-get update (%.1fs)\n", time.Since(start).Seconds())
		}
	}
	if err := ctx.Err(); err != nil {
		return &Error{Packages: pkgs, Errs: nonNil(updateErr, err)}
	}
	argv := append(append(append([]string{}, prefix...), aptGet), installArgs()[1:]...)
	argv = append(argv, pkgs...)
	start := time.Now()
	if out, err := o.run(ctx, argv, o.env); err != nil {
		return &Error{Packages: pkgs, Errs: nonNil(updateErr, &CommandError{Argv: argv, Output: tail(out), Err: err})}
	}
	if updateErr != nil {
		fmt.Fprintf(w, "kiln: warning: %v\n(the install succeeded from the existing package lists)\n", updateErr)
	}
	fmt.Fprintf(w, "kiln: installed %s (%.1fs)\n", strings.Join(pkgs, " "), time.Since(start).Seconds())
	return nil
}

// run runs argv under env with no stdin. On cancellation apt gets SIGTERM
// and time to leave dpkg consistent before it is killed.
func run(ctx context.Context, argv, env []string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	return cmd.CombinedOutput()
}

// installEnv is the explicit environment apt runs under: the frontend, a
// PATH with the sbin directories dpkg's scripts need, the C locale, and the
// caller's HOME and proxy settings.
func installEnv(getenv func(string) string) []string {
	path := getenv("PATH")
	for _, dir := range []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"} {
		if !strings.Contains(":"+path+":", ":"+dir+":") {
			path = strings.TrimPrefix(path+":"+dir, ":")
		}
	}
	env := []string{"PATH=" + path, "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"}
	for _, k := range []string{"HOME", "TMPDIR", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"} {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], key+"="); ok {
			return v
		}
	}
	return ""
}

// tail keeps the last lines of a command's output for an error message.
func tail(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > 12 {
		lines = append([]string{"…"}, lines[len(lines)-12:]...)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func nonNil(errs ...error) []error {
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}
