package release

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/apt"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
	"github.com/kiln-build/kiln/report"
)

// Resolve turns settings and the environment into a plan. Every bad value
// is reported at once, each naming the variable or field and the accepted
// forms.
func Resolve(ctx context.Context, s Settings, opts ...Option) (*Plan, error) {
	in, errs, err := readInputs(s, newOptions(opts))
	if err != nil {
		return nil, err
	}
	return resolve(ctx, in, errs)
}

// resolve makes the plan of inputs; errs are the bad values found reading
// them, reported with the plan's own.
func resolve(ctx context.Context, in inputs, errs []string) (*Plan, error) {
	s, dir := in.s, in.dir
	p := &Plan{Dir: dir, Start: time.Now(), CC: s.CC, StampVars: s.VersionVars, CI: in.ci, in: in, rep: in.rep,
		Out: in.out.Path, LockWait: in.out.Wait, Static: s.Static, Shard: in.shard, ShardCount: in.shards,
		AllowDirty: in.allowDirty, InstallTools: s.Toolchains == "install", Jobs: cmp.Or(s.Jobs, gobuild.DefaultJobs())}
	p.tools = apt.Toolchains{Allow: p.InstallTools, Log: report.Writer(p.rep)}
	mod, err := project.Open(dir)
	if err != nil {
		return nil, err
	}
	p.Module = mod.Path
	// Each name is refused as the setting the user set spells it.
	var bad []string
	p.Project, bad = binaries.Project(mod, s.Project, s.Name, in.nameFrom.Is(s.Name))
	errs = append(bad, errs...)
	info, err := gitinfo.ReadWith(ctx, dir, in.sourceDate)
	if err != nil {
		errs = append(errs, err.Error())
	}
	vcs := p.stampVCS(in, info)
	if s.Version != "" {
		// A set version changes the version, never the tree's state: a
		// dirty tree stays dirty (no provenance, refused in CI).
		info.Version, info.Note = s.Version, ""
	}
	p.Version = Version{Semver: info.Version, Plain: strings.TrimPrefix(info.Version, "v"),
		Commit: info.Commit, Date: info.Time, Dirty: info.Dirty, Changes: info.Changes, Note: info.Note}
	p.Names.Version = p.Version.Plain
	p.VerifyWith, p.Universal = s.Verify, s.Universal
	if len(errs) > 0 {
		return nil, fmt.Errorf("kiln configuration:\n  %s", strings.Join(errs, "\n  "))
	}

	// A nil environment is this process's; an empty plan cache the default.
	engineOpts := []gobuild.Option{gobuild.WithJobs(p.Jobs), gobuild.WithEnv(in.buildEnv)}
	if in.verbose {
		engineOpts = append(engineOpts, gobuild.WithVerbose(report.Writer(p.rep)))
	}
	if in.planCache != "" {
		engineOpts = append(engineOpts, gobuild.WithCacheDir(in.planCache))
	}
	if p.engine, err = gobuild.New(engineOpts...); err != nil {
		return nil, err
	}
	if err := p.resolvePlatforms(ctx, in); err != nil {
		return nil, err
	}
	if err := p.resolveBinaries(ctx, in, mod, vcs); err != nil {
		return nil, err
	}
	if err := p.resolvePackage(s.Package); err != nil {
		return nil, err
	}
	if err := p.resolveWindows(s.Windows); err != nil {
		return nil, err
	}
	return p, nil
}

// note records a note for build and matrix to print, once.
func (p *Plan) note(s string) {
	if !slices.Contains(p.notes, s) {
		p.notes = append(p.notes, s)
	}
}

// resolveBinaries sets Binaries (see binaries.Resolve), with the module
// read (mod) and why Go's VCS stamping is off (vcs, "" when it is on).
func (p *Plan) resolveBinaries(ctx context.Context, in inputs, mod *project.Module, vcs string) error {
	s, v := in.s, p.Version
	bins, notes, err := binaries.Resolve(binaries.Input{Module: mod,
		Binaries: s.Binaries, Name: s.Name, Main: s.Main, Mains: in.mains,
		Tags: s.Tags, LDFlags: s.LDFlags, Env: s.Env, Cgo: s.Cgo, CgoBy: in.cgoBy, StampVars: p.StampVars,
		Planned: p.planned, Platforms: p.Platforms,
		Select: func(sel string) ([]matrix.Platform, error) {
			u, err := p.Universe(ctx)
			if err != nil {
				return nil, err
			}
			return matrix.SelectSome(u, sel, p.planned)
		},
		// The templates read the plan's version and commit, its commit time
		// as .Date (so the output is reproducible), and no environment (a
		// template's .Env.X renders empty, with a note).
		Facts: project.Facts{ModulePath: p.Module, Tag: v.Semver, Version: v.Plain, Commit: v.Commit,
			CommitDate: v.Date, Date: v.Date, Dirty: v.Dirty, Env: map[string]string{}},
		NoVCS: vcs, FactsDir: binaries.FactsDir(in.planCache)})
	for _, n := range notes {
		p.note(n)
	}
	p.Binaries = bins
	return err
}

// resolvePlatforms sets Platforms from the host, or the selector (in the
// configured matrix), then KILN_SHARD.
func (p *Plan) resolvePlatforms(ctx context.Context, in inputs) error {
	if in.host {
		p.Platforms = []matrix.Platform{{OS: runtime.GOOS, Arch: runtime.GOARCH}}
		p.planned = p.Platforms
		return nil
	}
	u, err := p.Universe(ctx)
	if err != nil {
		return err
	}
	defaults := matrix.Default
	if in.s.Matrix != "" {
		if defaults, err = matrix.SelectSome(u, in.s.Matrix, matrix.Default); err != nil {
			return fmt.Errorf("Config.Matrix=%q: %w", in.s.Matrix, err)
		}
	}
	ps, err := matrix.SelectSome(u, in.selector, defaults)
	if err != nil {
		return fmt.Errorf("%s=%q: %w\n%s", in.selectorName, in.selector, err, matrix.SelectorHelp)
	}
	p.planned = ps
	if p.Shard.Count > 0 {
		ps = p.Shard.Of(ps)
	}
	p.Platforms = ps
	return nil
}

// Universe is the platforms the toolchain knows, with its facts about
// each (go tool dist list), read once.
func (p *Plan) Universe(ctx context.Context) (*matrix.Universe, error) {
	if p.universe == nil {
		u, err := p.engine.Universe(ctx, p.Dir)
		if err != nil {
			return nil, err
		}
		p.universe = u
	}
	return p.universe, nil
}

// stampVCS decides whether Go stamps the checkout's VCS facts into the
// binaries (Plan.VCS): for a clean checkout (see gitinfo.Info.Unstamped;
// the output directory ignores itself, see outdir) at the version set,
// unless the release a rebuild reproduces was built without them. It
// returns why not, for the programs that read their version from the
// build info.
func (p *Plan) stampVCS(in inputs, info gitinfo.Info) string {
	why := info.Unstamped(in.s.Version)
	if why == "" && in.vcs != nil && !*in.vcs {
		why = "the release reproduced was built without it"
	}
	if why == "" {
		p.VCS = &gobuild.VCS{Revision: info.Commit, Time: info.Time, Tag: info.Version}
	}
	return why
}

// resolvePackage applies the package stage's defaults.
func (p *Plan) resolvePackage(s PackageSettings) error {
	pp := PackagePlan{PackageSettings: s, ModTime: p.Version.Date}
	if pp.ModTime.IsZero() {
		pp.ModTime = gitinfo.MinSourceDate // the earliest time a zip holds
	}
	first := binaries.Main(p.Binaries, p.Project)
	if s.Service != nil {
		u := s.Service.WithDefaults(p.Project, first, s.Description)
		pp.Service = &u
	}
	pp.Entrypoint = cmp.Or(s.Image.Entrypoint, first)
	if !slices.Contains(p.names(), pp.Entrypoint) {
		return fmt.Errorf("Config.Package.Image.Entrypoint %q is none of the binaries (%s)", pp.Entrypoint, p.binaryNames())
	}
	if s.OSPackages != nil {
		if err := s.OSPackages.CheckNames(p.Project, p.names()); err != nil {
			return fmt.Errorf("Config.Package.OSPackages: the project's or binaries' names do not suit the packages (set Config.Project or the binaries' Name):\n  %w", err)
		}
	}
	p.PackageWith = pp
	return nil
}

// names are the binaries' names, in the plan's order.
func (p *Plan) names() []string { return binaries.Names(p.Binaries) }

func (p *Plan) binaryNames() string { return strings.Join(p.names(), ", ") }
