package release

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/apt"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/report"
	"github.com/kiln-build/kiln/verify"
)

// Toolchains on demand: with Settings.Toolchains = "install" (or
// KILN_TOOLCHAINS=install) kiln installs the Debian packages a static cgo
// build or verify's run check needs, once, saying what it installs;
// otherwise their absence is an error naming the apt-get line.

// toolchainPackages returns the Debian packages the failed builds of
// results lack, each once.
func toolchainPackages(results []gobuild.Result) []string {
	var pkgs []string
	for _, r := range results {
		var te *gobuild.ToolchainError
		if errors.As(r.Err, &te) {
			for _, pkg := range strings.Fields(te.Install) {
				if !slices.Contains(pkgs, pkg) {
					pkgs = append(pkgs, pkg)
				}
			}
		}
	}
	return pkgs
}

// withToolchains installs the C toolchains that builds failed for lack of
// and builds those again, when the plan may install; otherwise it says how.
func (p *Plan) withToolchains(ctx context.Context, results []gobuild.Result, buildErr error, report func(gobuild.Result)) ([]gobuild.Result, error) {
	pkgs := toolchainPackages(results)
	if len(pkgs) == 0 {
		return results, buildErr
	}
	if !p.InstallTools {
		return results, fmt.Errorf("%w\n(or let kiln install them: KILN_TOOLCHAINS=install, or Config.Toolchains = \"install\")", buildErr)
	}
	if err := p.install(ctx, pkgs); err != nil {
		return results, errors.Join(buildErr, err)
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

// ensureRunTools installs bubblewrap and the qemu emulators verify's run
// check needs for platforms, when the plan may install.
func (p *Plan) ensureRunTools(ctx context.Context, platforms []matrix.Platform) error {
	if !p.InstallTools || p.VerifyWith.NoRun {
		return nil
	}
	var needs []apt.Need
	for _, pl := range platforms {
		for _, t := range verify.RunTools(pl) {
			needs = append(needs, apt.Need{Command: t.Command, Package: t.DebianPackage})
		}
	}
	missing := apt.Packages(apt.Missing(needs, os.Getenv("PATH")))
	if len(missing) == 0 {
		return nil
	}
	return p.install(ctx, missing)
}

// install installs Debian packages with the plan's installer.
func (p *Plan) install(ctx context.Context, pkgs []string) error {
	if p.installer != nil {
		return p.installer(ctx, pkgs)
	}
	return apt.Install(ctx, pkgs, report.Writer(p.rep))
}
