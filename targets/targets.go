// Package targets is kiln's mage face. Import it from your magefile:
//
//	import (
//		//mage:import
//		"github.com/kiln-build/kiln/targets"
//	)
//
// and configure it from init() through targets.Config. Every exported
// function of this package is a mage target: each resolves the release plan
// (package release) and runs one stage of it.
package targets

import (
	"context"
	"strings"

	"github.com/magefile/mage/mg"

	"github.com/kiln-build/kiln/release"
	"github.com/kiln-build/kiln/reproduce"
	"github.com/kiln-build/kiln/shards"
)

// run resolves Config and the environment for one target and runs stage.
func run(ctx context.Context, stage func(*release.Plan, context.Context) error, opts ...release.Option) error {
	p, err := release.Resolve(ctx, Config, append([]release.Option{release.WithVerbose(mg.Verbose())}, opts...)...)
	if err != nil {
		return err
	}
	return stage(p, ctx)
}

// onPlan makes a stage of run of a function that runs on a plan (the
// packages that drive release: shards, reproduce).
func onPlan(f func(context.Context, *release.Plan) error) func(*release.Plan, context.Context) error {
	return func(p *release.Plan, ctx context.Context) error { return f(ctx, p) }
}

// Build builds the binaries for this machine's platform into dist/.
func Build(ctx context.Context) error {
	return run(ctx, (*release.Plan).Build, release.ForHost())
}

// Static builds fully static binaries for this machine's platform (cgo programs linked with musl or a static C toolchain).
func Static(ctx context.Context) error {
	return run(ctx, (*release.Plan).Build, release.ForHost(), release.WithStatic())
}

// CrossAll builds every binary for every platform of the matrix in parallel (KILN_MATRIX, KILN_SHARD apply).
func CrossAll(ctx context.Context) error {
	return run(ctx, (*release.Plan).Build)
}

// Cross builds the platforms a selector names: "linux/*,!linux/386", "windows/arm64", "default,linux/riscv64".
func Cross(ctx context.Context, platforms string) error {
	return run(ctx, (*release.Plan).Build, release.WithSelector(platforms))
}

// Matrix lists the binaries and the platforms crossall would build, with the toolchain's facts about each.
func Matrix(ctx context.Context) error {
	return run(ctx, onPlan(shards.PrintMatrix))
}

// Verify proves every binary in dist/artifacts.json is what it claims: format, arch, static linkage, build info, and a smoke run in an empty root.
func Verify(ctx context.Context) error {
	return run(ctx, (*release.Plan).Verify)
}

// Package turns the verified binaries into reproducible archives, checksums, SBOMs, provenance, a systemd unit, deb/rpm/apk and an OCI image.
func Package(ctx context.Context) error {
	return run(ctx, (*release.Plan).Package)
}

// Reproduce rebuilds dist/'s release from a clean clone of its commit with an empty cache and compares every artifact, saying where any differs.
func Reproduce(ctx context.Context) error {
	return run(ctx, onPlan(reproduce.Run))
}

// Clean removes the output directory, only when kiln created it.
func Clean(ctx context.Context) error {
	return release.Clean(ctx, Config)
}

// Merge brings the output directories of a sharded build ("$RUNNER_TEMP/shards/*": outside the checkout; comma-separated, globs allowed) into one dist/, as if one machine had built the whole matrix.
func Merge(ctx context.Context, dirs string) error {
	return run(ctx, func(p *release.Plan, ctx context.Context) error {
		return shards.Merge(ctx, p, strings.Split(dirs, ","))
	})
}

// Shards lists the KILN_SHARD parts of the matrix (KILN_SHARDS of them); in GitHub Actions it writes them to $GITHUB_OUTPUT as "matrix" for strategy.matrix.
func Shards(ctx context.Context) error {
	return run(ctx, onPlan(shards.Print))
}
