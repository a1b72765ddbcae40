package release

import (
	"cmp"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/setting"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/outdir"
	"github.com/kiln-build/kiln/pack/universal"
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

// readInputs reads the environment and the options into inputs; it
// returns one line per bad value, each naming the variable or field and
// the accepted forms.
func readInputs(s Settings, o options) (inputs, []string, error) {
	dir, err := o.moduleDir()
	if err != nil {
		return inputs{}, nil, err
	}
	r := &setting.Reader{Getenv: o.getenv}
	in := inputs{s: s, dir: dir, mains: r.Env("KILN_MAIN"), host: o.host, ci: r.Env("CI") != "", sourceDate: r.Env("SOURCE_DATE_EPOCH"),
		rep: report.New(o.w, report.GitHubFromEnv(r.Env), dir), verbose: o.verbose, planCache: o.planCache, buildEnv: o.buildEnv}
	in.s.Name, in.nameFrom = r.Over("KILN_NAME", s.Name, "Config.Name")
	in.signingKey, in.password = r.Env("KILN_SIGNING_KEY"), o.getenv("COSIGN_PASSWORD")
	in.out, err = outdir.Resolve(dir, s.Out, o.getenv)
	r.Add("", err)
	in.s.Jobs = r.Count("KILN_JOBS", s.Jobs, "")
	// Cgo stays "" without a statement: the release config's may apply.
	cgo, from := r.Over("KILN_CGO", string(s.Cgo), "Config.Cgo")
	if in.s.Cgo = CgoMode(cgo); cgo != "" {
		in.cgoBy = string(from)
		r.Check(in.s.Cgo.Valid(), from, cgo, "auto, on or off")
	}
	in.s.Static = o.static || r.Bool("KILN_STATIC", s.Static)
	tc, from := r.Over("KILN_TOOLCHAINS", s.Toolchains, "Config.Toolchains")
	in.s.Toolchains = r.OneOf(from, tc, "", "install (apt-get the missing C toolchains, bubblewrap, qemu) or off", "install", "off")
	in.allowDirty = r.Bool("KILN_ALLOW_DIRTY", false)
	if v := r.Env("KILN_SHARD"); v != "" {
		in.shard, err = matrix.ParseShard(v)
		r.Add("KILN_SHARD", err)
	}
	in.shards = r.Count("KILN_SHARDS", 0, "how many CI jobs share the matrix")
	if v, from := r.Over("KILN_VERSION", s.Version, "Config.Version"); v != "" {
		in.s.Version, err = gitinfo.Normalize(v)
		r.Add(from.Is(v), err)
	}
	// The macOS and Windows settings, normalized: Universal "" (off),
	// "beside" or "alone"; Verify.Windows "auto", "run" or "off".
	in.s.Universal = universal.ReadSetting(r, s.Universal)
	in.s.Verify = s.Verify.Read(r)
	in.selector, in.selectorName = o.selector, "selector"
	if o.selector == "" {
		in.selector, in.selectorName = cmp.Or(r.Env("KILN_MATRIX"), "default"), "KILN_MATRIX"
	}
	return in, r.Errs, nil
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
