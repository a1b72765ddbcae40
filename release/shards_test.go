package release

import (
	"context"
	"strings"
	"testing"
)

// TestMergeNamesMissingShard: a merge given the output of shard 1/2 only
// names shard 2/2, the one that is missing, as the one that should have
// built the missing platform (not the present one).
func TestMergeNamesMissingShard(t *testing.T) {
	dir := testModule(t)
	matrix := "KILN_MATRIX=linux/amd64,linux/arm64,windows/amd64"
	mustRun(t, dir, []string{matrix, "KILN_SHARD=1/2", "KILN_OUT=shard1", "KILN_VERSION=1.0.0"}, (*Plan).Build)
	out, err := run(t, dir, []string{matrix, "KILN_VERSION=1.0.0"}, func(p *Plan, ctx context.Context) error {
		return p.Merge(ctx, []string{"shard1"})
	})
	want := "missing linux/arm64 (tool): shard 2/2 should have built it (KILN_SHARD=2/2)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("merge of shard 1/2 alone = %v, want %q\n%s", err, want, out)
	}
}
