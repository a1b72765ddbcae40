package shards

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/release"
)

// TestMergeNamesMissingShard: a merge given the output of shard 1/2 only
// names shard 2/2, the one that is missing, as the one that should have
// built the missing platform (not the present one).
func TestMergeNamesMissingShard(t *testing.T) {
	dir := releasetest.Module(t)
	matrix := "KILN_MATRIX=linux/amd64,linux/arm64,windows/amd64"
	plantest.MustRun(t, dir, []string{matrix, "KILN_SHARD=1/2", "KILN_OUT=shard1", "KILN_VERSION=1.0.0"}, (*release.Plan).Build)
	out, err := plantest.Run(t, dir, []string{matrix, "KILN_VERSION=1.0.0"}, func(p *release.Plan, ctx context.Context) error {
		return Merge(ctx, p, []string{"shard1"})
	})
	want := "missing linux/arm64 (tool): shard 2/2 should have built it (KILN_SHARD=2/2)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("merge of shard 1/2 alone = %v, want %q\n%s", err, want, out)
	}
}

// TestShardsOutput: in GitHub Actions, shards writes the matrix JSON to
// $GITHUB_OUTPUT: KILN_SHARDS jobs (default: one per three platforms)
// that cover the matrix exactly once, each with its KILN_SHARD value;
// outside GitHub Actions nothing is written but the listing.
func TestShardsOutput(t *testing.T) {
	_, mod := releasetest.GHModule(t, nil)
	for _, tt := range []struct {
		shards string
		want   int
	}{{"", 3}, {"2", 2}, {"50", 7}} {
		file := filepath.Join(t.TempDir(), "github_output")
		var w releasetest.LockedBuffer
		p := plantest.MustResolve(t, mod, plantest.Settings(), &w, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": file, "KILN_SHARDS": tt.shards})
		if err := Print(context.Background(), p); err != nil {
			t.Fatal(err)
		}
		var m Matrix
		if err := json.Unmarshal([]byte(releasetest.Outputs(t, file)["matrix"]), &m); err != nil {
			t.Fatalf("KILN_SHARDS=%q: the matrix output is not JSON: %v", tt.shards, err)
		}
		if len(m.Include) != tt.want {
			t.Fatalf("KILN_SHARDS=%q: %d jobs, want %d: %+v", tt.shards, len(m.Include), tt.want, m)
		}
		seen := map[string]int{}
		for i, j := range m.Include {
			sh, err := matrix.ParseShard(j.Shard)
			if err != nil || sh != (matrix.Shard{Index: i + 1, Count: tt.want}) {
				t.Errorf("job %d: shard %q, want %d/%d", i, j.Shard, i+1, tt.want)
			}
			if got, want := j.Platforms, joinPlatforms(sh.Of(p.Platforms)); got != want {
				t.Errorf("job %s: platforms %q, want %q", j.Shard, got, want)
			}
			for _, pl := range strings.Split(j.Platforms, ",") {
				seen[pl]++
			}
		}
		if len(seen) != 7 {
			t.Errorf("KILN_SHARDS=%q: the jobs cover %d platforms, want the 7 of the matrix: %v", tt.shards, len(seen), seen)
		}
		for pl, n := range seen {
			if n != 1 {
				t.Errorf("%s is in %d jobs", pl, n)
			}
		}
	}
	file := filepath.Join(t.TempDir(), "github_output")
	var w releasetest.LockedBuffer
	p := plantest.MustResolve(t, mod, plantest.Settings(), &w, map[string]string{"GITHUB_OUTPUT": file})
	if err := Print(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file); err == nil || strings.Contains(w.String(), "::") {
		t.Errorf("outside GitHub Actions shards wrote the output file or a workflow command:\n%s", w.String())
	}
	if !strings.Contains(w.String(), "KILN_SHARD=1/3") {
		t.Errorf("shards lists no KILN_SHARD=1/3:\n%s", w.String())
	}
	bad := map[string]string{"KILN_SHARDS": "zero"}
	if _, err := plantest.Resolve(t, mod, release.Settings{}, &w, bad); err == nil || !strings.Contains(err.Error(), `KILN_SHARDS="zero"`) {
		t.Errorf("KILN_SHARDS=zero: err = %v, want it named", err)
	}
}
