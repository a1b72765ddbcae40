package release

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/apt"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/outdir"
	"github.com/kiln-build/kiln/report"
)

// Plan is a resolved release: the settings with every default and
// environment override applied, the project's facts, the binaries and
// platforms of this run, and the name of every artifact. Stages (Build,
// Verify, Package, Clean) run from it; nothing downstream re-derives a
// name, a default or a policy.
type Plan struct {
	// Dir is the module root (absolute); Module its module path.
	Dir, Module string
	// Project names the release's files.
	Project string
	// Version holds the version in all its forms, the commit and its date.
	Version Version
	// Binaries are the programs of this run, each with its platforms.
	Binaries []Bin
	// Platforms are the platforms of this run: the matrix (or the host, or
	// a selector) with KILN_SHARD applied.
	Platforms []matrix.Platform
	// Out is the output directory (absolute).
	Out string
	// Jobs bounds the builds (and verify runs, and packages) at once.
	Jobs int
	// Static: every build is fully static (netgo, osusergo; static cgo).
	Static bool
	// Shard is the part of the matrix this run builds (zero: all of it).
	Shard matrix.Shard
	// CC is the C compiler per platform ("linux/arm64") for cgo builds.
	CC map[string]string
	// StampVars are the variables that receive the version facts.
	StampVars StampVars
	// Verify and Package are the resolved settings of those stages.
	VerifyWith  VerifyPlan
	PackageWith PackagePlan
	// CI is true when the CI variable is set: a check that cannot run fails.
	CI bool
	// InstallTools: install the Debian packages of missing C toolchains
	// and run-check tools (Settings.Toolchains, KILN_TOOLCHAINS).
	InstallTools bool
	// AllowDirty: package a work tree with uncommitted changes in CI
	// (KILN_ALLOW_DIRTY).
	AllowDirty bool
	// LockWait: a second run on the same output directory waits for the
	// first (KILN_LOCK=wait, the default) instead of failing at once
	// (KILN_LOCK=fail).
	LockWait bool
	// ShardCount is KILN_SHARDS: how many CI jobs share the matrix (the
	// shards target and merge); 0: a default from the matrix size.
	ShardCount int

	tools    apt.Toolchains
	settings Settings        // as given, for reproduce's rebuild
	opts     options         // as given, for reproduce's rebuild
	evidence evidenceOptions // see evidence.go
	universe *matrix.Universe
	engine   *gobuild.Engine
	rep      report.Reporter
	start    time.Time
}

// Version is the version of a release in the forms its consumers need.
type Version struct {
	// Semver is the version with a leading "v" (v1.2.3, v1.2.3+dirty,
	// v0.0.0-20260102150405-abcdef123456): what -X main.version receives.
	Semver string
	// Plain is Semver without the "v": the form in file names and tags.
	Plain string
	// Commit is the full commit hash ("" without git); Date the commit
	// time, or SOURCE_DATE_EPOCH.
	Commit string
	Date   time.Time
	// Dirty: the work tree has uncommitted changes.
	Dirty bool
	// Note says why facts are missing (no git), for one line of output.
	Note string
}

// Bin is one resolved binary.
type Bin struct {
	Name string // file name without ".exe"
	Main string // main package as configured: "./cmd/app" or an import path
	// ImportPath is the main package's import path, as its build info records it.
	ImportPath         string
	Tags, LDFlags, Env []string
	Cgo                gobuild.CgoMode
	// Platforms are the platforms of this run the binary is built for.
	Platforms []matrix.Platform
	// VerifyArgs are the smoke-test arguments when they are the binary's
	// own (nil: the plan's).
	VerifyArgs []string
}

// VerifyPlan is the verify stage's resolved settings.
type VerifyPlan struct {
	Args    []string // nil: probe the program (see verify.Smoke)
	Exit    int
	Timeout time.Duration // each run; 0: verify.DefaultSmokeTimeout
	NoRun   bool
}

// PackagePlan is the package stage's resolved settings.
type PackagePlan struct {
	PackageSettings
	// Service is the unit with its defaults applied (nil: not a service).
	Service *Service
	// Entrypoint is the binary the image runs.
	Entrypoint string
	// ModTime is the time stamped on every packaged file: the commit time
	// or SOURCE_DATE_EPOCH, else 1980-01-01 (the earliest a zip holds).
	ModTime time.Time
}

// Resolve turns settings and the environment into a plan. Every bad value
// is reported at once, each naming the variable or field and the accepted
// forms.
func Resolve(ctx context.Context, s Settings, opts ...Option) (*Plan, error) {
	o := newOptions(opts)
	dir, err := o.moduleDir()
	if err != nil {
		return nil, err
	}
	p := &Plan{Dir: dir, start: time.Now(), CC: s.CC, StampVars: s.VersionVars, CI: o.getenv("CI") != "",
		settings: s, opts: o}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("no go.mod in %s: run kiln from the root of your Go module", dir)
	}
	if p.Module = modfile.ModulePath(data); p.Module == "" {
		return nil, fmt.Errorf("go.mod in %s has no module line", dir)
	}
	env := func(k string) string { return strings.TrimSpace(o.getenv(k)) }
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }

	name := cmp.Or(env("KILN_NAME"), s.Name)
	p.Project = cmp.Or(s.Project, name, moduleName(p.Module))
	if err := checkName(p.Project); err != nil {
		bad("Config.Project %q: %v", p.Project, err)
	}
	if d, err := outdir.Resolve(dir, s.Out, o.getenv); err != nil {
		bad("%v", err)
	} else {
		p.Out, p.LockWait = d.Path, d.Wait
	}
	p.Jobs = gobuild.DefaultJobs()
	if s.Jobs > 0 {
		p.Jobs = s.Jobs
	}
	if v := env("KILN_JOBS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad("KILN_JOBS=%q: want a whole number >= 1", v)
		}
		p.Jobs = max(n, 1)
	}
	cgo := gobuild.CgoMode(cmp.Or(env("KILN_CGO"), s.Cgo, string(gobuild.CgoAuto)))
	if !validCgo(cgo) {
		bad("KILN_CGO/Config.Cgo %q: want auto, on or off", cgo)
	}
	p.Static = s.Static || o.static
	if v := env("KILN_STATIC"); v != "" && !o.static {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("KILN_STATIC=%q: want true or false", v)
		}
		p.Static = b
	}
	switch v := cmp.Or(env("KILN_TOOLCHAINS"), s.Toolchains); v {
	case "install":
		p.InstallTools = true
	case "", "off":
	default:
		bad("KILN_TOOLCHAINS/Config.Toolchains %q: want install (apt-get the missing C toolchains, bubblewrap, qemu) or off", v)
	}
	if v := env("KILN_ALLOW_DIRTY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("KILN_ALLOW_DIRTY=%q: want true or false", v)
		}
		p.AllowDirty = b
	}
	if v := env("KILN_SHARD"); v != "" {
		if p.Shard, err = matrix.ParseShard(v); err != nil {
			bad("KILN_SHARD: %v", err)
		}
	}
	info, err := gitinfo.Read(ctx, dir)
	if err != nil {
		bad("%v", err)
	}
	if v := cmp.Or(env("KILN_VERSION"), s.Version); v != "" {
		nv, err := gitinfo.Normalize(v)
		if err != nil {
			bad("KILN_VERSION/Config.Version: %v", err)
		}
		info.Version, info.Note, info.Dirty = nv, "", false
	}
	p.Version = Version{Semver: info.Version, Plain: strings.TrimPrefix(info.Version, "v"),
		Commit: info.Commit, Date: info.Time, Dirty: info.Dirty, Note: info.Note}
	p.VerifyWith = VerifyPlan{Args: s.Verify.Args, Exit: s.Verify.Exit, Timeout: s.Verify.Timeout, NoRun: s.Verify.NoRun}
	p.rep = report.New(o.w, report.GitHubFromEnv(env), dir)
	p.tools = apt.Toolchains{Allow: p.InstallTools, Log: report.Writer(p.rep)}
	errs = append(errs, p.resolveShards(env)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("kiln configuration:\n  %s", strings.Join(errs, "\n  "))
	}

	engineOpts := []gobuild.Option{gobuild.WithJobs(p.Jobs)}
	if o.verbose {
		engineOpts = append(engineOpts, gobuild.WithVerbose(o.w))
	}
	if o.buildEnv != nil {
		engineOpts = append(engineOpts, gobuild.WithEnv(o.buildEnv))
	}
	if o.planCache != "" {
		engineOpts = append(engineOpts, gobuild.WithCacheDir(o.planCache))
	}
	if p.engine, err = gobuild.New(engineOpts...); err != nil {
		return nil, err
	}
	if err := p.resolvePlatforms(ctx, s, o, env); err != nil {
		return nil, err
	}
	bins, err := p.resolveBinaries(ctx, s, env("KILN_MAIN"), name, cgo)
	if err != nil {
		return nil, err
	}
	p.Binaries = bins
	if err := p.resolvePackage(s.Package); err != nil {
		return nil, err
	}
	return p, nil
}

func validCgo(m gobuild.CgoMode) bool {
	return m == gobuild.CgoAuto || m == gobuild.CgoOn || m == gobuild.CgoOff
}

// resolvePlatforms sets Platforms from the host, a selector, KILN_MATRIX or
// the configured matrix, then KILN_SHARD.
func (p *Plan) resolvePlatforms(ctx context.Context, s Settings, o options, env func(string) string) error {
	if o.host {
		p.Platforms = []matrix.Platform{{OS: runtime.GOOS, Arch: runtime.GOARCH}}
		return nil
	}
	ps, err := p.MatrixPlatforms(ctx, s.Matrix, o.selector, env("KILN_MATRIX"))
	if err != nil {
		return err
	}
	if p.Shard.Count > 0 {
		ps = p.Shard.Of(ps)
	}
	p.Platforms = ps
	return nil
}

// MatrixPlatforms resolves the configured matrix, then the selector (or,
// when it is empty, the KILN_MATRIX value envSel; "default" when both
// are). The shard is not applied.
func (p *Plan) MatrixPlatforms(ctx context.Context, configured, selector, envSel string) ([]matrix.Platform, error) {
	u, err := p.loadUniverse(ctx)
	if err != nil {
		return nil, err
	}
	defaults := matrix.Default
	if configured != "" {
		if defaults, err = selectPlatforms(u, configured, matrix.Default); err != nil {
			return nil, fmt.Errorf("Config.Matrix=%q: %w", configured, err)
		}
	}
	what := "selector"
	if selector == "" {
		selector, what = cmp.Or(envSel, "default"), "KILN_MATRIX"
	}
	ps, err := selectPlatforms(u, selector, defaults)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w\n(a selector is a comma-separated list of os/arch[/variant], globs like linux/*, !negations and the keywords default, first-class, all)", what, selector, err)
	}
	return ps, nil
}

// selectPlatforms is matrix.Select with the mistakes users make named:
// only separators, upper case.
func selectPlatforms(u *matrix.Universe, sel string, defaults []matrix.Platform) ([]matrix.Platform, error) {
	if strings.Trim(sel, ", \t") == "" {
		return nil, fmt.Errorf("the selector names no platform")
	}
	if low := strings.ToLower(sel); low != sel {
		if _, err := matrix.Select(u, low, defaults); err == nil {
			return nil, fmt.Errorf("platform names are lower case: did you mean %q?", low)
		}
	}
	ps, err := matrix.Select(u, sel, defaults)
	if err == nil && len(ps) == 0 {
		return nil, fmt.Errorf("the selector leaves no platform")
	}
	return ps, err
}

func (p *Plan) loadUniverse(ctx context.Context) (*matrix.Universe, error) {
	if p.universe == nil {
		u, err := p.engine.Universe(ctx, p.Dir)
		if err != nil {
			return nil, err
		}
		p.universe = u
	}
	return p.universe, nil
}

// Universe returns the platforms the active Go toolchain supports.
func (p *Plan) Universe(ctx context.Context) (*matrix.Universe, error) { return p.loadUniverse(ctx) }
