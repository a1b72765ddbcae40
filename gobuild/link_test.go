package gobuild

import (
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

// TestLinkedStatic: the link decision a Result carries.
func TestLinkedStatic(t *testing.T) {
	static := []string{"-linkmode", "external", "-extldflags", "-static"}
	tests := []struct {
		platform string
		cgo      bool
		extLink  []string
		goflags  string
		want     bool
	}{
		{"linux/amd64", false, nil, "", true},
		{"linux/amd64", true, static, "", true},
		{"linux/amd64", false, nil, "-mod=vendor -buildmode=pie", false},
		{"linux/amd64", false, nil, "--buildmode=exe", true},
		{"darwin/arm64", true, nil, "", false},
		{"windows/amd64", true, nil, "", false},
		{"windows/amd64", false, nil, "-buildmode=pie", true},
		{"darwin/amd64", false, nil, "", true},
	}
	for _, tc := range tests {
		p := matrix.MustParse(tc.platform)
		if got := linkedStatic(p, tc.cgo, tc.extLink, tc.goflags); got != tc.want {
			t.Errorf("linkedStatic(%s, cgo %v, %q, GOFLAGS %q) = %v, want %v", tc.platform, tc.cgo, tc.extLink, tc.goflags, got, tc.want)
		}
	}
}
