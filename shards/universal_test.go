package shards

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
	"github.com/kiln-build/kiln/release"
)

// universalSettings join the darwin builds, the universal archive beside
// the per-arch ones.
func universalSettings() release.Settings {
	return release.Settings{Universal: "beside",
		Verify: release.VerifySettings{NoRun: true}, Package: release.PackageSettings{NoImage: true}}
}

// TestUniversalMerge: with the darwin builds in two shards, neither shard
// can join them; the merge does, into the same bytes a one-machine
// crossall joins, and verify accepts it.
func TestUniversalMerge(t *testing.T) {
	dir := releasetest.Module(t)
	s := universalSettings()
	env := []string{"CI=" + os.Getenv("CI"), "KILN_MATRIX=darwin/amd64,darwin/arm64", "KILN_VERSION=1.2.3"}
	for _, shard := range []string{"1/2", "2/2"} {
		out := plantest.MustRunWith(t, dir, s, append(env, "KILN_SHARD="+shard, "KILN_OUT=shard-"+shard[:1]), (*release.Plan).Build)
		if strings.Contains(out, "darwin/universal") {
			t.Errorf("shard %s joined a universal binary from one half:\n%s", shard, out)
		}
	}
	merge := func(p *release.Plan, ctx context.Context) error { return Merge(ctx, p, []string{"shard-*"}) }
	out := plantest.MustRunWith(t, dir, s, env, merge)
	if !strings.Contains(out, "joined     darwin/universal") {
		t.Errorf("the merge did not join the universal binary:\n%s", out)
	}
	plantest.MustRunWith(t, dir, s, env, (*release.Plan).Verify)
	plantest.MustRunWith(t, dir, s, append(env, "KILN_OUT=whole"), (*release.Plan).Build)
	merged, err := os.ReadFile(filepath.Join(dir, "dist", "tool_darwin_universal", "tool"))
	if err != nil {
		t.Fatal(err)
	}
	whole, err := os.ReadFile(filepath.Join(dir, "whole", "tool_darwin_universal", "tool"))
	if err != nil || !bytes.Equal(merged, whole) {
		t.Errorf("the merged universal binary differs from a one-machine crossall's (%v)", err)
	}
}
