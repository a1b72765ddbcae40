package apt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/verify"
)

// Toolchains on demand: with Allow (Settings.Toolchains = "install",
// KILN_TOOLCHAINS=install) kiln installs the Debian packages a static cgo
// build or verify's run check needs, once, saying what it installs;
// otherwise their absence is an error naming the apt-get line.
type Toolchains struct {
	Allow bool
	// Log receives what is installed.
	Log io.Writer
	// Install installs packages; nil: Install with apt-get.
	Install func(ctx context.Context, pkgs []string) error
}

// ForBuilds installs the Debian packages the failed builds of results
// lack (gobuild.ToolchainError), when allowed, and reports whether it did:
// then the failed builds may run again. Otherwise buildErr is returned,
// with the way to let kiln install them when some are missing.
func (t Toolchains) ForBuilds(ctx context.Context, results []gobuild.Result, buildErr error) (bool, error) {
	pkgs := toolchainPackages(results)
	if len(pkgs) == 0 {
		return false, buildErr
	}
	if !t.Allow {
		return false, fmt.Errorf("%w\n(or let kiln install them: KILN_TOOLCHAINS=install, or Config.Toolchains = \"install\")", buildErr)
	}
	if err := t.install(ctx, pkgs); err != nil {
		return false, errors.Join(buildErr, err)
	}
	return true, nil
}

// Rebuild builds again, with build, the failed builds of results once
// ForBuilds installed the toolchains they lack, and returns results with
// the new results in their places and build's error. When nothing was
// installed it returns results and ForBuilds' error.
func (t Toolchains) Rebuild(ctx context.Context, results []gobuild.Result, buildErr error,
	build func(context.Context, []gobuild.Spec) ([]gobuild.Result, error)) ([]gobuild.Result, error) {
	installed, err := t.ForBuilds(ctx, results, buildErr)
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
	redone, err := build(ctx, again)
	for j, i := range at {
		if j < len(redone) {
			results[i] = redone[j]
		}
	}
	return results, err
}

// ForRuns installs bubblewrap and the qemu emulators verify's run check
// needs for platforms (the linux ones: others run no check that needs
// them) that are missing from PATH, when allowed, each package once.
func (t Toolchains) ForRuns(ctx context.Context, platforms []matrix.Platform) error {
	if !t.Allow {
		return nil
	}
	var needs []Need
	for _, pl := range platforms {
		for _, tool := range verify.RunTools(pl) {
			needs = append(needs, Need{Command: tool.Command, Package: tool.DebianPackage})
		}
	}
	missing := Packages(Missing(needs, os.Getenv("PATH")))
	if len(missing) == 0 {
		return nil
	}
	return t.install(ctx, missing)
}

// ForWine installs what verify's runs under wine need (verify.WineTools:
// wine64, bubblewrap, mingw-w64 for the prefix's shim) when it is missing
// from PATH (path, as the runs see it), when allowed.
func (t Toolchains) ForWine(ctx context.Context, path string) error {
	if !t.Allow {
		return nil
	}
	var needs []Need
	for _, tool := range verify.WineTools() {
		needs = append(needs, Need{Command: tool.Command, Package: tool.DebianPackage})
	}
	missing := Packages(Missing(needs, path))
	if len(missing) == 0 {
		return nil
	}
	return t.install(ctx, missing)
}

func (t Toolchains) install(ctx context.Context, pkgs []string) error {
	if t.Install != nil {
		return t.Install(ctx, pkgs)
	}
	return Install(ctx, pkgs, t.Log)
}

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
