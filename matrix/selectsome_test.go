package matrix

import (
	"strings"
	"testing"
)

func TestSelectSome(t *testing.T) {
	u := testUniverse(t)
	for _, tc := range []struct{ sel, want string }{
		{" , ", "names no platform"},
		{"Linux/AMD64", `did you mean "linux/amd64"?`},
		{"linux/amd64,!linux/*", "selects no platform"},
	} {
		_, err := SelectSome(u, tc.sel, Default)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("SelectSome(%q) = %v, want an error with %q", tc.sel, err, tc.want)
		}
	}
	ps, err := SelectSome(u, "linux/amd64", Default)
	if err != nil || len(ps) != 1 || ps[0] != (Platform{OS: "linux", Arch: "amd64"}) {
		t.Fatalf("SelectSome(linux/amd64) = %v, %v; want [linux/amd64]", ps, err)
	}
}
