package gobuild

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

// Engine runs go commands. The zero value is not usable: call New.
type Engine struct {
	goCmd    string
	env      []string
	verbose  io.Writer
	jobs     int
	host     matrix.Platform
	cacheDir string

	goEnvMu sync.Mutex // guards goEnv
	goEnv   string     // the output of go env, once it succeeded
	mu      sync.Mutex // serializes verbose output
}

// Option configures an Engine.
type Option func(*Engine) error

// WithGo sets the go command (default "go").
func WithGo(path string) Option {
	return func(e *Engine) error { e.goCmd = path; return nil }
}

// WithEnv sets the base environment of every go command (default
// os.Environ()). GOOS, GOARCH, CGO_ENABLED, the variant variables and CC
// are always set by the engine.
func WithEnv(env []string) Option {
	return func(e *Engine) error { e.env = env; return nil }
}

// WithVerbose echoes every go command to w.
func WithVerbose(w io.Writer) Option {
	return func(e *Engine) error { e.verbose = w; return nil }
}

// WithCacheDir sets the directory of the engine's plan cache (default
// $XDG_CACHE_HOME/kiln or the OS's equivalent); "" turns the cache off.
func WithCacheDir(dir string) Option {
	return func(e *Engine) error { e.cacheDir = dir; return nil }
}

// WithJobs bounds how many builds run at once (default DefaultJobs).
func WithJobs(n int) Option {
	return func(e *Engine) error {
		if n < 1 {
			return fmt.Errorf("jobs must be at least 1, got %d", n)
		}
		e.jobs = n
		return nil
	}
}

// DefaultJobs is the number of builds run at once unless configured: two
// per the measurements in the README (go build already parallelizes inside
// one build; a second build fills the link step's idle cores), at most the
// CPU count.
func DefaultJobs() int { return max(1, min(2, runtime.NumCPU())) }

// New makes an Engine.
func New(opts ...Option) (*Engine, error) {
	e := &Engine{goCmd: "go", jobs: DefaultJobs(), host: matrix.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}}
	if dir, err := os.UserCacheDir(); err == nil {
		e.cacheDir = filepath.Join(dir, "kiln")
	}
	for _, o := range opts {
		if err := o(e); err != nil {
			return nil, err
		}
	}
	if e.env == nil {
		e.env = os.Environ()
	}
	return e, nil
}

// identityVars are the go command's settings that may come from its
// config file (GOENV, written by `go env -w`) rather than the environment
// and change the output.
var identityVars = []string{"GOVERSION", "GOFLAGS", "GOEXPERIMENT", "GOTOOLCHAIN",
	"CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS", "CXX",
	"GOAMD64", "GOARM", "GOARM64", "GO386", "GOMIPS", "GOMIPS64", "GOPPC64", "GORISCV64", "GOWASM"}

// identity returns the go command's version and settings that determine
// every output (asked once per Engine; a failure, such as a canceled
// context, is not remembered).
func (e *Engine) identity(ctx context.Context, dir string) (string, error) {
	e.goEnvMu.Lock()
	defer e.goEnvMu.Unlock()
	if e.goEnv == "" {
		out, err := e.run(ctx, dir, e.env, append([]string{"env"}, identityVars...)...)
		if err != nil {
			return "", err
		}
		e.goEnv = string(out)
	}
	return e.goEnv, nil
}

// identValue returns the value of an identity variable.
func identValue(ident, name string) string {
	i := slices.Index(identityVars, name)
	lines := strings.Split(ident, "\n")
	if i < 0 || i >= len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[i])
}

// platformEnv returns the complete environment of a build for s.
func (e *Engine) platformEnv(s Spec, cgo bool, cc string) []string {
	drop := map[string]bool{"GOOS": true, "GOARCH": true, "CGO_ENABLED": true, "CC": true,
		"GOARM": true, "GOAMD64": true, "GO386": true, "GOMIPS": true, "GOMIPS64": true,
		"GOPPC64": true, "GOARM64": true, "GORISCV64": true, "GOWASM": true}
	env := make([]string, 0, len(e.env)+len(s.Env)+5)
	for _, kv := range e.env {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, s.Env...)
	env = append(env, "GOOS="+s.Platform.OS, "GOARCH="+s.Platform.Arch)
	if v := s.Platform.VariantEnv(); v != "" {
		env = append(env, v)
	}
	if cgo {
		env = append(env, "CGO_ENABLED=1")
		if cc != "" {
			env = append(env, "CC="+cc)
		}
	} else {
		env = append(env, "CGO_ENABLED=0")
	}
	return env
}

// Go runs the go command with args in dir, with the engine's environment,
// and returns its stdout. Canceling ctx interrupts the command (SIGINT,
// then a kill after a grace period); a failure carries the command's
// stderr. It is the one way kiln runs go.
func (e *Engine) Go(ctx context.Context, dir string, args ...string) ([]byte, error) {
	if len(args) == 0 {
		return nil, errors.New("go: no command")
	}
	return e.run(ctx, dir, e.env, args...)
}

// Universe returns the platforms the engine's Go toolchain can build
// (`go tool dist list -json`).
func (e *Engine) Universe(ctx context.Context, dir string) (*matrix.Universe, error) {
	out, err := e.Go(ctx, dir, "tool", "dist", "list", "-json")
	if err != nil {
		return nil, err
	}
	return matrix.ParseDistList(out)
}

// run runs the go command under env and returns its stdout; a failure
// carries the command's stderr.
func (e *Engine) run(ctx context.Context, dir string, env []string, args ...string) ([]byte, error) {
	e.echo(env, args)
	cmd := exec.CommandContext(ctx, e.goCmd, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, fmt.Errorf("go %s: %w", args[0], err)
		}
		return nil, fmt.Errorf("go %s: %w\n%s", args[0], err, msg)
	}
	return out, nil
}

// echo prints a go command in verbose mode, with the variables the engine
// sets.
func (e *Engine) echo(env []string, args []string) {
	if e.verbose == nil {
		return
	}
	var set []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "GOOS" || k == "GOARCH" || k == "CGO_ENABLED" || k == "CC" || strings.HasPrefix(k, "GOARM") || strings.HasPrefix(k, "GOAMD64") {
			set = append(set, kv)
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	fmt.Fprintf(e.verbose, "%s go %s\n", strings.Join(set, " "), quoteArgs(args))
}

func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'") {
			a = fmt.Sprintf("%q", a)
		}
		q[i] = a
	}
	return strings.Join(q, " ")
}
