package release

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/outdir"
)

// Build builds every binary for each of its platforms into the output
// directory, prints a line per build and a summary, and records each
// binary with its identity in the manifest. Independent failures are all
// reported; the other builds still finish.
func (p *Plan) Build(ctx context.Context) error {
	if p.Version.Note != "" {
		p.rep.Printf("note: %s\n", p.Version.Note)
	}
	if p.Version.Dirty {
		p.rep.Printf("warning: the work tree has uncommitted changes: building version %s\n", p.Version.Semver)
	}
	if p.Shard.Count > 0 && len(p.Platforms) == 0 {
		p.rep.Printf("shard %s: no platform to build\n", p.Shard)
		return nil
	}
	h, err := p.OutDir().Acquire(ctx)
	if err != nil {
		return err
	}
	defer h.Release()
	specs := p.specs()
	if err := p.prepare(h, specs); err != nil {
		return err
	}

	for _, n := range p.notes {
		p.rep.Printf("note: %s\n", n)
	}
	report := func(r gobuild.Result) { p.rep.Build(r, p.OutDir().Rel(r.Spec.Out), p.stamped(r.Spec.Name)) }
	results, buildErr := p.engine.BuildAll(ctx, specs, report)
	results, buildErr = p.withToolchains(ctx, results, buildErr, report)
	binaries.CgoHints(p.Binaries, len(p.in.s.Binaries) > 0, results)
	counts := map[gobuild.Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	p.rep.Printf("%s %s: %d build(s): %d built, %d up to date, %d failed in %.2fs\n", p.Project, p.Version.Semver,
		len(results), counts[gobuild.Built], counts[gobuild.UpToDate], counts[gobuild.Failed], time.Since(p.Start).Seconds())
	if err := p.record(h, results); err != nil {
		return errors.Join(buildErr, err)
	}
	if err := p.JoinUniversal(ctx); err != nil {
		buildErr = errors.Join(buildErr, err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	return buildErr
}

// withToolchains builds again the builds that failed for lack of a C
// toolchain once the plan installed it (when it may; see apt.Toolchains).
func (p *Plan) withToolchains(ctx context.Context, results []gobuild.Result, buildErr error, report func(gobuild.Result)) ([]gobuild.Result, error) {
	installed, err := p.tools.ForBuilds(ctx, results, buildErr)
	if !installed {
		return results, err
	}
	var again []gobuild.Spec
	var at []int
	for i, r := range results {
		if r.Err != nil {
			again = append(again, r.Spec)
			at = append(at, i)
		}
	}
	redone, err := p.engine.BuildAll(ctx, again, report)
	for j, i := range at {
		results[i] = redone[j]
	}
	return results, err
}

// specs are the engine's specs of every (binary, platform) of the run.
func (p *Plan) specs() []gobuild.Spec {
	var specs []gobuild.Spec
	for _, pl := range p.Platforms {
		for _, b := range p.Binaries {
			if !b.On(pl) {
				continue
			}
			bb := b.Builds[pl]
			specs = append(specs, gobuild.Spec{
				Dir: p.Dir, Main: b.Main, Name: b.Name, Platform: pl,
				Out:  filepath.Join(p.Out, filepath.FromSlash(p.BinaryPath(b, pl))),
				Tags: bb.Tags, LDFlags: bb.LDFlags, Env: bb.Env, Flags: bb.Flags,
				Stamp: gobuild.Stamp{Version: p.Version.Semver, Commit: p.Version.Commit, Date: p.Version.Date, Vars: b.Stamp},
				Cgo:   bb.Cgo, CC: p.CC[pl.String()], Static: p.Static, VCS: p.VCS,
			})
			if pl.OS == "windows" {
				specs[len(specs)-1].Post = p.windowsPost(b)
			}
		}
	}
	return specs
}

// binary returns the plan's binary of a name.
func (p *Plan) binary(name string) (Bin, bool) {
	for _, b := range p.Binaries {
		if b.Name == name {
			return b, true
		}
	}
	return Bin{}, false
}

// stamped says what reaches a binary's program of its version.
func (p *Plan) stamped(name string) string {
	b, _ := p.binary(name)
	return b.Stamped
}

// Describe sets the manifest's release facts to the plan's.
func (p *Plan) Describe(m *artifact.Manifest) {
	m.Project, m.Version, m.Commit, m.Date = p.Project, p.Version.Semver, p.Version.Commit, gitinfo.FormatDate(p.Version.Date)
}

// prepare makes every platform directory of specs through the output
// directory's Root, and checks the files the engine writes there (each
// binary and its stamp), just before the engine writes them by path: a
// link, a FIFO or a device in place of any of them is refused, each
// named.
func (p *Plan) prepare(h *outdir.Held, specs []gobuild.Spec) error {
	var errs *multierror.Error
	made := map[string]bool{}
	for _, s := range specs {
		bin := p.OutDir().Rel(s.Out)
		dir := path.Dir(bin)
		if !made[dir] {
			made[dir] = true
			if err := h.Root.MkdirAll(dir, 0o755); err != nil {
				errs = multierror.Append(errs, err)
				continue
			}
		}
		for _, rel := range []string{bin, filepath.ToSlash(gobuild.StampPath(filepath.FromSlash(bin)))} {
			if err := h.Replaceable(rel); err != nil {
				errs = multierror.Append(errs, err)
			}
		}
	}
	if errs != nil {
		errs.ErrorFormat = func(es []error) string { return errlist.Listed("build: refusing to write into "+p.OutDir().Name(), es) }
	}
	return errs.ErrorOrNil()
}

// record puts the built binaries into the manifest with their identity. A
// binary whose bytes and identity did not change keeps its verify result.
func (p *Plan) record(h *outdir.Held, results []gobuild.Result) error {
	m, err := artifact.LoadIn(h.Root)
	if err != nil {
		return err
	}
	p.Describe(m)
	byPath := map[string]artifact.Artifact{}
	for _, a := range m.Artifacts {
		byPath[a.Path] = a
	}
	changed := false
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		s, pl := r.Spec, r.Spec.Platform
		b, _ := p.binary(s.Name)
		a := artifact.Artifact{Path: p.OutDir().Rel(s.Out), Kind: artifact.Binary, Name: s.Name,
			OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant, Size: r.Size, SHA256: r.SHA256,
			Main: b.ImportPath, Version: s.Stamp.Version, Commit: s.Stamp.Commit, Key: r.Key,
			Cgo: r.Cgo, CC: r.CC, Static: r.Static, Tags: r.Tags, Args: r.Args, Env: r.Env, CgoLeftOut: r.CgoLeftOut,
			Stamped: b.Stamped, VCS: s.VCS != nil, CgoDecision: b.Builds[pl].Decision()}
		if old, ok := byPath[a.Path]; ok && old.Verify != nil && sameBuild(old, a) {
			a.Verify = old.Verify
		}
		m.Put(a)
		changed = true
	}
	if !changed {
		return nil
	}
	return m.SaveIn(h.Root)
}

// sameBuild reports whether two binary entries claim the same build.
func sameBuild(a, b artifact.Artifact) bool {
	return a.SHA256 == b.SHA256 && a.Size == b.Size && a.Name == b.Name && a.Main == b.Main &&
		a.Version == b.Version && a.Commit == b.Commit && a.Key == b.Key && a.Platform() == b.Platform()
}
