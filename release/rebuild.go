package release

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/outdir"
)

// Rebuild is what a second plan of this plan's configuration is resolved
// from (see Plan.Rebuild): where and what a rebuild of a release builds.
type Rebuild struct {
	// Dir is the module root to build: a clone of the release's commit
	// (absolute).
	Dir string
	// Version is the version to stamp, normalized (v1.2.3).
	Version string
	// Platforms are the platforms to build ("linux/arm/7").
	Platforms []string
	// Out is the rebuild's output directory (absolute).
	Out string
	// GoCache is the go command's build cache (GOCACHE, replacing the
	// plan's) and PlanCache the build engine's plan cache.
	GoCache, PlanCache string
	// VCS: Go stamps the VCS facts into the binaries, as the release did.
	VCS bool
	// NoRun: the rebuild's verify runs no binary (the static checks only).
	NoRun bool
}

// Rebuild resolves a second plan from this plan's settings and
// environment with the values of r, building every platform r names (no
// shard, not the host), signing nothing, and naming the source repository
// as this checkout names it (the clone's origin is this checkout).
func (p *Plan) Rebuild(ctx context.Context, r Rebuild) (*Plan, error) {
	in := p.in
	in.dir, in.s.Version, in.shard, in.host, in.unsigned = r.Dir, r.Version, matrix.Shard{}, false, true
	in.s.Verify.NoRun = in.s.Verify.NoRun || r.NoRun
	in.out = outdir.Dir{Path: r.Out, Module: r.Dir, Wait: p.LockWait}
	in.selector, in.selectorName = strings.Join(r.Platforms, ","), "selector"
	vcs := r.VCS
	in.vcs = &vcs
	env := p.in.buildEnv
	if env == nil {
		env = os.Environ()
	}
	in.buildEnv = slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "GOCACHE=") })
	in.buildEnv = append(in.buildEnv, "GOCACHE="+r.GoCache)
	in.planCache = r.PlanCache
	rp, err := resolve(ctx, in, nil)
	if err != nil {
		return nil, err
	}
	rp.evidence.source = cmp.Or(p.evidence.source, gitinfo.SourceURI(ctx, p.Dir))
	return rp, nil
}
