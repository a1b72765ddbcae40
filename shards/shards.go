// Package shards fans a release's matrix out to CI and back: it lists the
// matrix, splits it into KILN_SHARD jobs and merges the shards' output
// directories into one.
package shards

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/release"
)

// Job is one CI job of a sharded build: it runs with KILN_SHARD=Shard
// and builds Platforms.
type Job struct {
	Shard     string `json:"shard"`     // "1/3": the KILN_SHARD value
	Platforms string `json:"platforms"` // "darwin/arm64,linux/arm/7": for the job's name
}

// Matrix is the shard list as GitHub Actions' strategy.matrix takes it:
// {"include":[{"shard":"1/3","platforms":"darwin/arm64,linux/arm/7"},…]}.
type Matrix struct {
	Include []Job `json:"include"`
}

// count is the number of shards of p's matrix: KILN_SHARDS, else one per
// three platforms, never more than there are platforms.
func count(p *release.Plan) int { return matrix.ShardCount(len(p.Platforms), p.ShardCount) }

// wholeMatrix refuses a run that must see the whole matrix while
// KILN_SHARD restricts it to one part.
func wholeMatrix(p *release.Plan, what string) error {
	if p.Shard.Count > 0 {
		return fmt.Errorf("%s: KILN_SHARD=%s is set, but %s works on the whole matrix: unset KILN_SHARD for this step", what, p.Shard, what)
	}
	return nil
}

// Split splits p's matrix into count shards (matrix.Shard.Of), each a CI
// job.
func Split(p *release.Plan) (Matrix, error) {
	if err := wholeMatrix(p, "shards"); err != nil {
		return Matrix{}, err
	}
	n := count(p)
	m := Matrix{Include: make([]Job, 0, n)}
	for i := 1; i <= n; i++ {
		sh := matrix.Shard{Index: i, Count: n}
		m.Include = append(m.Include, Job{Shard: sh.String(), Platforms: joinPlatforms(sh.Of(p.Platforms))})
	}
	return m, nil
}

// Print prints the shard list of p. In GitHub Actions it also writes it to
// $GITHUB_OUTPUT as the step output "matrix" (see Matrix for the JSON),
// for a later job's
//
//	strategy:
//	  matrix: ${{ fromJSON(needs.<job>.outputs.matrix) }}
//
// whose steps set KILN_SHARD: ${{ matrix.shard }}. The number of shards is
// KILN_SHARDS, else one per three platforms.
func Print(ctx context.Context, p *release.Plan) error {
	m, err := Split(p)
	if err != nil {
		return err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	rep := p.Reporter()
	rep.Printf("%s %s: %d platform(s) in %d shard(s)\n", p.Project, p.Version.Semver, len(p.Platforms), len(m.Include))
	for _, j := range m.Include {
		rep.Printf("  KILN_SHARD=%-6s %s\n", j.Shard, strings.ReplaceAll(j.Platforms, ",", ", "))
	}
	return rep.Output("matrix", string(data))
}

func joinPlatforms(ps []matrix.Platform) string {
	s := make([]string, len(ps))
	for i, pl := range ps {
		s[i] = pl.String()
	}
	return strings.Join(s, ",")
}

// whoShards says which shard should have built pl, for the merge's error
// messages. The number of shards is not recorded anywhere, so it is
// inferred from the platforms each shard's output holds (present): see
// matrix.InferShardCount, trying KILN_SHARDS or the default first.
func whoShards(p *release.Plan, present [][]matrix.Platform) func(pl matrix.Platform) string {
	n := matrix.InferShardCount(p.Platforms, present, count(p))
	return func(pl matrix.Platform) string {
		if n == 0 {
			return "no shard directory has it"
		}
		sh := matrix.Shard{Index: matrix.ShardIndex(p.Platforms, pl, n), Count: n}
		return fmt.Sprintf("shard %s should have built it (KILN_SHARD=%s): is its output directory missing from the merge?", sh, sh)
	}
}
