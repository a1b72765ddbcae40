package matrix

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Shard is one part of a matrix split across CI machines: Index of Count,
// counted from 1.
type Shard struct{ Index, Count int }

// ParseShard parses "i/n" with 1 ≤ i ≤ n.
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, fmt.Errorf("shard %q: want i/n with 1 <= i <= n, e.g. 1/3", s)
	}
	return Shard{i, n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Of returns the shard's part of ps: after sorting, every Count-th platform
// starting at Index-1. The shards 1/n … n/n cover ps exactly once.
func (s Shard) Of(ps []Platform) []Platform {
	sorted := unique(append([]Platform(nil), ps...))
	var out []Platform
	for i, p := range sorted {
		if i%s.Count == s.Index-1 {
			out = append(out, p)
		}
	}
	return out
}

// platformsPerShard is how many platforms a CI job builds by default: a
// job's fixed cost (checkout, toolchain, module download) is about one
// cold cross build, so fewer platforms per job buys little.
const platformsPerShard = 3

// ShardCount is the number of shards of n platforms: want when it is set
// (> 0), else one per three platforms; at least one, never more than n.
func ShardCount(n, want int) int {
	if want <= 0 {
		want = max(1, (n+platformsPerShard-1)/platformsPerShard)
	}
	return max(1, min(want, n))
}

// ShardIndex is the shard i of n whose part of all holds pl (0: none).
func ShardIndex(all []Platform, pl Platform, n int) int {
	for i := 1; i <= n; i++ {
		if slices.Contains(Shard{Index: i, Count: n}.Of(all), pl) {
			return i
		}
	}
	return 0
}

// InferShardCount finds how many shards split all when only their
// outputs are known: present holds the platforms of each shard's output.
// It returns the first count of tries, then len(present) … len(all), under
// which each output holds the platforms of exactly one shard, a different
// one each, and every platform no output holds falls to a shard without
// an output (a missing shard explains what is missing); failing that (a
// present shard lost a build too), the first count under which the
// outputs fit; 0 when none fits.
func InferShardCount(all []Platform, present [][]Platform, tries ...int) int {
	for n := len(present); n <= len(all); n++ {
		tries = append(tries, n)
	}
	first := 0
	for _, n := range tries {
		if n < 1 || !shardsFit(all, n, present) {
			continue
		}
		if missingFromAbsent(all, n, present) {
			return n
		}
		if first == 0 {
			first = n
		}
	}
	return first
}

// missingFromAbsent reports whether every platform of all that no output
// holds lies in a shard i/n with no output.
func missingFromAbsent(all []Platform, n int, present [][]Platform) bool {
	held := map[Platform]bool{}
	used := map[int]bool{}
	for _, ps := range present {
		for _, pl := range ps {
			held[pl] = true
			used[ShardIndex(all, pl, n)] = true
		}
	}
	for _, pl := range all {
		if !held[pl] && used[ShardIndex(all, pl, n)] {
			return false
		}
	}
	return true
}

// shardsFit reports whether every output's platforms lie in a distinct
// shard i/n.
func shardsFit(all []Platform, n int, present [][]Platform) bool {
	used := map[int]bool{}
	for _, ps := range present {
		if len(ps) == 0 {
			continue
		}
		i := ShardIndex(all, ps[0], n)
		if i == 0 || used[i] {
			return false
		}
		for _, pl := range ps[1:] {
			if ShardIndex(all, pl, n) != i {
				return false
			}
		}
		used[i] = true
	}
	return true
}
