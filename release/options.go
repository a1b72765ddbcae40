package release

import (
	"io"
	"os"
	"path/filepath"
)

// Option changes how Resolve reads its inputs.
type Option func(*options)

type options struct {
	dir      string
	getenv   func(string) string
	w        io.Writer
	verbose  bool
	host     bool
	static   bool
	selector string
	// buildEnv replaces the engine's environment (default os.Environ()):
	// reproduce's rebuild with an empty build cache.
	buildEnv []string
	// planCache is the engine's plan cache when set (default
	// $XDG_CACHE_HOME/kiln): reproduce's empty one, the tests' own.
	planCache string
}

// WithDir resolves the module at dir (default: the working directory).
func WithDir(dir string) Option { return func(o *options) { o.dir = dir } }

// WithEnv reads the KILN_* overrides through getenv (default os.Getenv).
func WithEnv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// WithOutput sends the stages' progress lines and tables to w (default
// os.Stdout).
func WithOutput(w io.Writer) Option { return func(o *options) { o.w = w } }

// WithVerbose echoes every go command.
func WithVerbose(v bool) Option { return func(o *options) { o.verbose = v } }

// ForHost plans this machine's platform instead of the matrix.
func ForHost() Option { return func(o *options) { o.host = true } }

// WithStatic plans fully static builds, as if Settings.Static were set.
func WithStatic() Option { return func(o *options) { o.static = true } }

// WithSelector plans the platforms a selector names instead of KILN_MATRIX
// or the configured matrix.
func WithSelector(sel string) Option { return func(o *options) { o.selector = sel } }

// withPlanCache sets the engine's plan cache directory.
func withPlanCache(dir string) Option { return func(o *options) { o.planCache = dir } }

func newOptions(opts []Option) options {
	o := options{getenv: os.Getenv, w: os.Stdout}
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// moduleDir is the absolute module root.
func (o options) moduleDir() (string, error) {
	if o.dir == "" {
		return os.Getwd()
	}
	return filepath.Abs(o.dir)
}
