package matrix

import "testing"

// TestShardCount: one shard per three platforms by default, the wanted
// count otherwise, never more shards than platforms nor fewer than one.
func TestShardCount(t *testing.T) {
	for _, tt := range []struct{ n, want, got int }{{7, 0, 3}, {7, 2, 2}, {7, 50, 7}, {0, 0, 1}, {1, 0, 1}, {6, 0, 2}} {
		if got := ShardCount(tt.n, tt.want); got != tt.got {
			t.Errorf("ShardCount(%d, %d) = %d, want %d", tt.n, tt.want, got, tt.got)
		}
	}
}

// TestInferShardCount: the outputs of shards i/n give back n, whichever
// shard is missing; outputs no split explains give 0.
func TestInferShardCount(t *testing.T) {
	all := Default
	for n := 1; n <= len(all); n++ {
		var present [][]Platform
		var missing []Platform
		for i := 1; i <= n; i++ {
			if i == 2 {
				missing = Shard{i, n}.Of(all) // a missing shard
				continue
			}
			present = append(present, Shard{i, n}.Of(all))
		}
		got := InferShardCount(all, present, 3)
		if got == 0 {
			t.Fatalf("n=%d: no count found", n)
		}
		used := map[int]bool{}
		for _, ps := range present {
			i := ShardIndex(all, ps[0], got)
			used[i] = true
			for _, pl := range ps {
				if ShardIndex(all, pl, got) != i {
					t.Errorf("n=%d: inferred %d does not put %v in one shard", n, got, ps)
				}
			}
		}
		// The missing platforms go to a shard that has no output, never
		// to a present one (shard 1/2 alone is not shard 1/1).
		for _, pl := range missing {
			if used[ShardIndex(all, pl, got)] {
				t.Errorf("n=%d: inferred %d puts the missing %s in a present shard", n, got, pl)
			}
		}
	}
	mixed := [][]Platform{{all[0], all[1]}, {all[0]}}
	if got := InferShardCount(all, mixed); got != 0 {
		t.Errorf("two outputs with one platform = %d, want 0", got)
	}
}
