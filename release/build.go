package release

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/gobuild"
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
	// The engine writes by path: its files' places are made ready through
	// the held directory first.
	var files []string
	for _, s := range specs {
		for _, f := range s.Writes() {
			files = append(files, p.OutDir().Rel(f))
		}
	}
	if err := h.Prepare("build", files...); err != nil {
		return err
	}

	for _, n := range p.notes {
		p.rep.Printf("note: %s\n", n)
	}
	report := func(r gobuild.Result) { p.rep.Build(r, p.OutDir().Rel(r.Spec.Out), p.stamped(r.Spec.Name)) }
	results, buildErr := p.engine.BuildAll(ctx, specs, report)
	// A build that failed for lack of a C toolchain builds again once the
	// plan installed it (when it may; see apt.Toolchains).
	results, buildErr = p.tools.Rebuild(ctx, results, buildErr, func(ctx context.Context, specs []gobuild.Spec) ([]gobuild.Result, error) {
		return p.engine.BuildAll(ctx, specs, report)
	})
	binaries.CgoHints(p.Binaries, len(p.in.s.Binaries) > 0, results)
	p.rep.Built(p.Project+" "+p.Version.Semver, results, time.Since(p.Start))
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

// record puts the built binaries into the manifest with their identity. A
// binary whose bytes and identity did not change keeps its verify result.
func (p *Plan) record(h *outdir.Held, results []gobuild.Result) error {
	m, err := artifact.LoadIn(h.Root)
	if err != nil {
		return err
	}
	p.Describe(m)
	changed := false
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		b, _ := p.binary(r.Spec.Name)
		m.PutBuilt(r.Entry(p.OutDir().Rel(r.Spec.Out),
			gobuild.EntryFacts{Main: b.ImportPath, Stamped: b.Stamped, CgoDecision: b.Builds[r.Spec.Platform].Decision()}))
		changed = true
	}
	if !changed {
		return nil
	}
	return m.SaveIn(h.Root)
}
