package release

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// ShardJob is one CI job of a sharded build: it runs with KILN_SHARD=Shard
// and builds Platforms.
type ShardJob struct {
	Shard     string `json:"shard"`     // "1/3": the KILN_SHARD value
	Platforms string `json:"platforms"` // "darwin/arm64,linux/arm/7": for the job's name
}

// ShardMatrix is the shard list as GitHub Actions' strategy.matrix takes
// it: {"include":[{"shard":"1/3","platforms":"darwin/arm64,linux/arm/7"},…]}.
type ShardMatrix struct {
	Include []ShardJob `json:"include"`
}

// platformsPerShard is how many platforms a CI job builds by default: a
// job's fixed cost (checkout, toolchain, module download) is about one
// cold cross build, so fewer platforms per job buys little.
const platformsPerShard = 3

// defaultShards is the number of shards for n platforms without
// KILN_SHARDS: one per platformsPerShard platforms, at least one.
func defaultShards(n int) int { return max(1, (n+platformsPerShard-1)/platformsPerShard) }

// shardCount is the number of shards of the plan's matrix: KILN_SHARDS,
// else defaultShards, never more than there are platforms.
func (p *Plan) shardCount() int {
	n := p.ShardCount
	if n == 0 {
		n = defaultShards(len(p.Platforms))
	}
	return max(1, min(n, len(p.Platforms)))
}

// wholeMatrix refuses a run that must see the whole matrix while
// KILN_SHARD restricts it to one part.
func (p *Plan) wholeMatrix(what string) error {
	if p.Shard.Count > 0 {
		return fmt.Errorf("%s: KILN_SHARD=%s is set, but %s works on the whole matrix: unset KILN_SHARD for this step", what, p.Shard, what)
	}
	return nil
}

// ShardMatrix splits the plan's matrix into shardCount shards
// (matrix.Shard.Of), each a CI job.
func (p *Plan) ShardMatrix() (ShardMatrix, error) {
	if err := p.wholeMatrix("shards"); err != nil {
		return ShardMatrix{}, err
	}
	n := p.shardCount()
	m := ShardMatrix{Include: make([]ShardJob, 0, n)}
	for i := 1; i <= n; i++ {
		sh := matrix.Shard{Index: i, Count: n}
		m.Include = append(m.Include, ShardJob{Shard: sh.String(), Platforms: joinPlatforms(sh.Of(p.Platforms))})
	}
	return m, nil
}

// Shards prints the shard list. In GitHub Actions it also writes it to
// $GITHUB_OUTPUT as the step output "matrix" (see ShardMatrix for the
// JSON), for a later job's
//
//	strategy:
//	  matrix: ${{ fromJSON(needs.<job>.outputs.matrix) }}
//
// whose steps set KILN_SHARD: ${{ matrix.shard }}. The number of shards is
// KILN_SHARDS, else one per three platforms.
func (p *Plan) Shards(ctx context.Context) error {
	m, err := p.ShardMatrix()
	if err != nil {
		return err
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	p.rep.Printf("%s %s: %d platform(s) in %d shard(s)\n", p.Project, p.Version.Semver, len(p.Platforms), len(m.Include))
	for _, j := range m.Include {
		p.rep.Printf("  KILN_SHARD=%-6s %s\n", j.Shard, strings.ReplaceAll(j.Platforms, ",", ", "))
	}
	return p.rep.Output("matrix", string(data))
}

func joinPlatforms(ps []matrix.Platform) string {
	s := make([]string, len(ps))
	for i, pl := range ps {
		s[i] = pl.String()
	}
	return strings.Join(s, ",")
}

// shardFinder names the shard that should have built a platform, for the
// merge's error messages. The number of shards is not recorded anywhere,
// so it is inferred: the first count (KILN_SHARDS or the default, then
// every other) under which each shard directory holds the platforms of
// exactly one shard, a different one each.
type shardFinder struct {
	all []matrix.Platform
	n   int // 0: no count fits
}

func (p *Plan) findShards(present [][]matrix.Platform) shardFinder {
	f := shardFinder{all: p.Platforms}
	tries := []int{p.shardCount()}
	for n := len(present); n <= len(p.Platforms); n++ {
		tries = append(tries, n)
	}
	for _, n := range tries {
		if n >= 1 && f.fits(n, present) {
			f.n = n
			return f
		}
	}
	return f
}

// fits reports whether every shard's platforms lie in a distinct shard i/n.
func (f shardFinder) fits(n int, present [][]matrix.Platform) bool {
	used := map[int]bool{}
	for _, ps := range present {
		if len(ps) == 0 {
			continue
		}
		i := f.index(ps[0], n)
		if i == 0 || used[i] {
			return false
		}
		for _, pl := range ps[1:] {
			if f.index(pl, n) != i {
				return false
			}
		}
		used[i] = true
	}
	return true
}

// index is the shard i of n that builds pl (0: none).
func (f shardFinder) index(pl matrix.Platform, n int) int {
	for i := 1; i <= n; i++ {
		if slices.Contains(matrix.Shard{Index: i, Count: n}.Of(f.all), pl) {
			return i
		}
	}
	return 0
}

// who says which shard should have built pl.
func (f shardFinder) who(pl matrix.Platform) string {
	if f.n == 0 {
		return "no shard directory has it"
	}
	sh := matrix.Shard{Index: f.index(pl, f.n), Count: f.n}
	return fmt.Sprintf("shard %s should have built it (KILN_SHARD=%s): is its output directory missing from the merge?", sh, sh)
}
