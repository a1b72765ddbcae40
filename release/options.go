package release

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/setting"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/outdir"
	"github.com/kiln-build/kiln/report"
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
	// planCache is the engine's plan cache when set (default
	// $XDG_CACHE_HOME/kiln); buildEnv the go command's environment when
	// not nil (default os.Environ()).
	planCache string
	buildEnv  []string
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

// WithPlanCache keeps the build engine's plan cache (which spares an
// unchanged build its `go list`) in dir instead of $XDG_CACHE_HOME/kiln:
// an empty directory makes every build decide afresh.
func WithPlanCache(dir string) Option { return func(o *options) { o.planCache = dir } }

// WithBuildEnv runs every go command with env (KEY=VALUE entries) instead
// of this process's environment: a rebuild passes the variables a release
// recorded, and its own GOCACHE.
func WithBuildEnv(env []string) Option {
	return func(o *options) { o.buildEnv = slices.Clone(env) }
}

// inputs are the values a plan is resolved from: the settings with the
// KILN_* environment and the options applied. Plan.Rebuild resolves a
// second plan from a copy.
type inputs struct {
	// s holds the settings with their overrides: Name (KILN_NAME, as
	// nameFrom says), Jobs (KILN_JOBS, 0: the default), Cgo (KILN_CGO; ""
	// without a statement, cgoBy says whose), Static (KILN_STATIC,
	// WithStatic), Version (KILN_VERSION, normalized), Toolchains
	// (KILN_TOOLCHAINS). Out is unused: see out.
	s        Settings
	nameFrom setting.Name // where s.Name came from
	cgoBy    string       // where s.Cgo came from
	dir      string       // the module root (absolute)
	out      outdir.Dir   // KILN_OUT, Config.Out; KILN_LOCK
	// mains is KILN_MAIN; selector the platforms' selector (WithSelector,
	// else KILN_MATRIX as named by selectorName); host: ForHost.
	mains, selector, selectorName string
	host                          bool
	shard                         matrix.Shard    // KILN_SHARD
	shards                        int             // KILN_SHARDS
	allowDirty, ci                bool            // KILN_ALLOW_DIRTY, CI
	sourceDate                    string          // SOURCE_DATE_EPOCH, validated by gitinfo.ReadWith
	rep                           report.Reporter // o.w, GitHub Actions when GITHUB_ACTIONS=true
	verbose                       bool
	// buildEnv replaces the engine's environment (nil: os.Environ()) and
	// planCache its plan cache ("": the default): reproduce's rebuild with
	// empty caches.
	buildEnv  []string
	planCache string
	// signingKey and password are KILN_SIGNING_KEY and COSIGN_PASSWORD;
	// unsigned: reproduce's rebuild signs nothing.
	signingKey, password string
	unsigned             bool
	// vcs, when set, says whether Go stamps the VCS facts (reproduce's
	// rebuild does as the manifest says); nil: when the tree is clean.
	vcs *bool
}

// override is the value of the environment variable when it is set, else
// the configured one, with the setting it came from.
func override(env func(string) string, variable, configured string, field setting.Name) (string, setting.Name) {
	if v := env(variable); v != "" {
		return v, setting.Name(variable)
	}
	return configured, field
}

// readInputs reads the environment and the options into inputs; it
// returns one line per bad value, each naming the variable or field and
// the accepted forms.
func readInputs(s Settings, o options) (inputs, []string, error) {
	dir, err := o.moduleDir()
	if err != nil {
		return inputs{}, nil, err
	}
	env := func(k string) string { return strings.TrimSpace(o.getenv(k)) }
	in := inputs{s: s, dir: dir, mains: env("KILN_MAIN"), host: o.host, ci: env("CI") != "", sourceDate: env("SOURCE_DATE_EPOCH"),
		rep: report.New(o.w, report.GitHubFromEnv(env), dir), verbose: o.verbose, planCache: o.planCache, buildEnv: o.buildEnv}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	in.s.Name, in.nameFrom = override(env, "KILN_NAME", s.Name, "Config.Name")
	in.signingKey, in.password = env("KILN_SIGNING_KEY"), o.getenv("COSIGN_PASSWORD")
	if in.out, err = outdir.Resolve(dir, s.Out, o.getenv); err != nil {
		bad("%v", err)
	}
	if v := env("KILN_JOBS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad("KILN_JOBS=%q: want a whole number >= 1", v)
		}
		in.s.Jobs = max(n, 1)
	}
	// Cgo stays "" without a statement: the release config's may apply.
	cgo, from := override(env, "KILN_CGO", string(s.Cgo), "Config.Cgo")
	if in.s.Cgo = CgoMode(cgo); cgo != "" {
		in.cgoBy = string(from)
	}
	if in.s.Cgo != "" && !in.s.Cgo.Valid() {
		bad("%s: want auto, on or off", from.Is(cgo))
	}
	in.s.Static = s.Static || o.static
	if v := env("KILN_STATIC"); v != "" && !o.static {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("KILN_STATIC=%q: want true or false", v)
		}
		in.s.Static = b
	}
	switch v, from := override(env, "KILN_TOOLCHAINS", s.Toolchains, "Config.Toolchains"); v {
	case "install", "", "off":
		in.s.Toolchains = v
	default:
		bad("%s: want install (apt-get the missing C toolchains, bubblewrap, qemu) or off", from.Is(v))
	}
	if v := env("KILN_ALLOW_DIRTY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("KILN_ALLOW_DIRTY=%q: want true or false", v)
		}
		in.allowDirty = b
	}
	if v := env("KILN_SHARD"); v != "" {
		if in.shard, err = matrix.ParseShard(v); err != nil {
			bad("KILN_SHARD: %v", err)
		}
	}
	if v := env("KILN_SHARDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad("KILN_SHARDS=%q: want a whole number >= 1 (how many CI jobs share the matrix)", v)
		}
		in.shards = max(n, 0)
	}
	if v, from := override(env, "KILN_VERSION", s.Version, "Config.Version"); v != "" {
		if in.s.Version, err = gitinfo.Normalize(v); err != nil {
			bad("%s: %v", from.Is(v), err)
		}
	}
	errs = append(errs, readOSInputs(&in.s, env)...)
	in.selector, in.selectorName = o.selector, "selector"
	if o.selector == "" {
		in.selector, in.selectorName = cmp.Or(env("KILN_MATRIX"), "default"), "KILN_MATRIX"
	}
	return in, errs, nil
}

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
