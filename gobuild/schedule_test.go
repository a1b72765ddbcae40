package gobuild

import (
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

// TestNextSpec: the next build to start is the first waiting one whose
// platform has no build running (two builds of one platform compile the
// same packages at once on a cold cache), else the first waiting one.
func TestNextSpec(t *testing.T) {
	amd64, arm64, win := matrix.MustParse("linux/amd64"), matrix.MustParse("linux/arm64"), matrix.MustParse("windows/amd64")
	// Two binaries on three platforms, platform by platform, as a plan lists them.
	specs := []Spec{
		{Name: "a", Platform: amd64}, {Name: "b", Platform: amd64},
		{Name: "a", Platform: arm64}, {Name: "b", Platform: arm64},
		{Name: "a", Platform: win}, {Name: "b", Platform: win},
	}
	tests := []struct {
		name     string
		waiting  []int
		building []matrix.Platform
		want     int // a position in waiting
	}{
		{"nothing running: the first", []int{0, 1, 2, 3, 4, 5}, nil, 0},
		{"its platform running: the next platform's", []int{1, 2, 3, 4, 5}, []matrix.Platform{amd64}, 1},
		{"two platforms running: the third's", []int{1, 3, 4, 5}, []matrix.Platform{amd64, arm64}, 2},
		{"every waiting platform running: the first", []int{1, 3}, []matrix.Platform{amd64, arm64}, 0},
		{"a finished platform is free again", []int{1, 3, 5}, []matrix.Platform{arm64}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			building := map[matrix.Platform]int{}
			for _, pl := range tt.building {
				building[pl]++
			}
			if got := nextSpec(specs, tt.waiting, building); got != tt.want {
				t.Errorf("nextSpec = %d (spec %d: %s %s), want %d (spec %d)", got, tt.waiting[got], specs[tt.waiting[got]].Name,
					specs[tt.waiting[got]].Platform, tt.want, tt.waiting[tt.want])
			}
		})
	}
}
