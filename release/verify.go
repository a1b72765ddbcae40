package release

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/hashicorp/go-multierror"
	"golang.org/x/sync/errgroup"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/evidence/assemble"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/verify"
)

// Verify proves every binary of this plan in the manifest is what it
// claims: its file is the one built (confined path, sha256), its format,
// OS, arch, linkage and build info agree with the claim, and each linux
// binary runs in an empty root. It prints a table, records each result in
// the manifest and reports every failure. Entries of other versions,
// commits or names are skipped and said so.
func (p *Plan) Verify(ctx context.Context) error {
	h, m, err := p.OutDir().AcquireManifest(ctx)
	if err != nil {
		return err
	}
	defer h.Release()
	bins := p.entries(m)
	if len(bins) == 0 {
		return fmt.Errorf("verify: no binary of %s %s in %s: run mage crossall (or build, static) first", p.Project, p.Version.Semver, p.OutDir().Name())
	}
	pls := make([]matrix.Platform, len(bins))
	for i, a := range bins {
		pls[i] = a.Platform()
	}
	if !p.VerifyWith.NoRun {
		if err := p.tools.ForRuns(ctx, pls); err != nil {
			return err
		}
	}
	wine, err := p.prepareWine(ctx, pls)
	if err != nil {
		return err
	}
	stage := verify.ResultOptions{Version: p.Version.Semver, CI: p.CI, Wine: wine}
	if p.VerifyWith.NoRun {
		stage.NoRun = "Config.Verify.NoRun"
	}
	if p.VerifyWith.RequireVersion {
		stage.RequireVersion = "Verify.RequireVersion"
	}
	results := make([]artifact.VerifyResult, len(bins))
	errs := make([]error, len(bins))
	sbomNotes := make([]string, len(bins))
	var g errgroup.Group
	g.SetLimit(p.Jobs)
	for i, a := range bins {
		g.Go(func() error {
			o := stage
			o.Smoke = p.smokeOptions(a)
			real, rep, err := p.inspectEntry(m, a)
			results[i], errs[i] = verify.Result(ctx, a, real, rep, err, o)
			// An SBOM that does not describe its binary fails verify, but
			// not the binary's result: package writes the SBOM again.
			var sbomErr error
			sbomNotes[i], sbomErr = assemble.CheckSBOM(p.Out, m, a, p.Version.Semver)
			errs[i] = errors.Join(errs[i], sbomErr)
			return nil
		})
	}
	_ = g.Wait()
	var notes []string
	for i, a := range bins {
		if len(a.CgoLeftOut) > 0 {
			notes = append(notes, binaries.CgoNote(a.Name, a.Platform(), a.CgoDecision, a.CgoLeftOut))
		}
		if w := verify.VersionWarning(a, results[i].Version); w != "" && !p.VerifyWith.RequireVersion {
			notes = append(notes, w)
		}
	}
	notes = append(notes, sbomNotes...)

	p.rep.Verified(p.Project+" "+p.Version.Semver, bins, results, notes)
	var failed *multierror.Error
	for i, a := range bins {
		if errs[i] != nil {
			failed = multierror.Append(failed, fmt.Errorf("%s %s (%s): %w", a.Name, a.Platform(), a.Path, errs[i]))
		}
		a.Verify = &results[i]
		m.Put(a)
	}
	if err := m.SaveIn(h.Root); err != nil {
		return err
	}
	if failed != nil {
		failed.ErrorFormat = func(es []error) string {
			return errlist.Listed(fmt.Sprintf("verify: %d of %d binaries failed", len(es), len(bins)), es)
		}
		return failed
	}
	p.rep.Printf("verify: %d binaries ok in %.2fs\n", len(bins), time.Since(p.Start).Seconds())
	return nil
}

// entries returns the manifest's binaries, then its universal binaries,
// that are this plan's, saying why the others are skipped.
func (p *Plan) entries(m *artifact.Manifest) []artifact.Artifact {
	var out []artifact.Artifact
	for _, a := range append(m.Filter(artifact.ByKind(artifact.Binary)), m.Filter(artifact.ByKind(artifact.Universal))...) {
		why := p.Current(a)
		if why == "" && a.Kind == artifact.Universal && !slices.ContainsFunc(p.Binaries, func(b Bin) bool { return b.Name == a.Name && p.joins(b) }) {
			why = "universal macOS binaries are off (Config.Universal, KILN_UNIVERSAL)"
		}
		if why != "" {
			p.rep.Printf("  skipped %s: %s\n", a.Path, why)
			continue
		}
		out = append(out, a)
	}
	return out
}

// prepareWine prepares verify's runs of windows binaries under wine
// (verify.PrepareWine), for the binaries' platforms pls, as the settings
// say: Settings.Verify.Windows "off" or NoRun runs none, "run" requires
// them; with Toolchains "install" it installs wine's tools first.
func (p *Plan) prepareWine(ctx context.Context, pls []matrix.Platform) (*verify.WineStage, error) {
	o := verify.WineStageOptions{Prefix: p.VerifyWith.WinePrefix, PrefixHint: "set Config.Verify.WinePrefix or KILN_WINEPREFIX",
		Install: func(ctx context.Context) error { return p.tools.ForWine(ctx, os.Getenv("PATH")) }, Printf: p.rep.Printf}
	switch {
	case p.VerifyWith.NoRun:
		o.Off = "Config.Verify.NoRun"
	case p.VerifyWith.Windows == "off":
		o.Off = "Config.Verify.Windows is off (KILN_WINE)"
	case p.VerifyWith.Windows == "run":
		o.Require = `Config.Verify.Windows = "run", KILN_WINE`
	}
	return verify.PrepareWine(ctx, pls, o)
}

// smokeOptions are a binary's smoke-test arguments: its own, else the
// plan's (nil: probe the program).
func (p *Plan) smokeOptions(a artifact.Artifact) verify.SmokeOptions {
	opts := verify.SmokeOptions{Args: p.VerifyWith.Args, Exit: p.VerifyWith.Exit, Timeout: p.VerifyWith.Timeout}
	for _, b := range p.Binaries {
		if b.Name == a.Name && b.VerifyArgs != nil {
			opts.Args, opts.Exit = b.VerifyArgs, 0
		}
	}
	return opts
}
