package matrix

import (
	"errors"
	"fmt"
	"os/exec"
	"reflect"
	"strings"
	"sync"
	"testing"
)

var (
	universeOnce sync.Once
	universe     *Universe
	universeErr  error
)

func testUniverse(t *testing.T) *Universe {
	t.Helper()
	universeOnce.Do(func() {
		// The test asks the toolchain itself; the package never runs go.
		out, err := exec.Command("go", "tool", "dist", "list", "-json").Output()
		if err != nil {
			universeErr = fmt.Errorf("go tool dist list -json: %w", err)
			return
		}
		universe, universeErr = ParseDistList(out)
	})
	if universeErr != nil {
		t.Fatal(universeErr)
	}
	return universe
}

func TestParseString(t *testing.T) {
	tests := []struct {
		in, want string
		err      string
	}{
		{"linux/amd64", "linux/amd64", ""},
		{"linux/arm/7", "linux/arm/7", ""},
		{"linux/arm/v7", "linux/arm/7", ""},
		{"linux/amd64/v3", "linux/amd64/v3", ""},
		{"linux/amd64/3", "linux/amd64/v3", ""},
		{" darwin/arm64 ", "darwin/arm64", ""},
		{"linux/mips/softfloat", "linux/mips/softfloat", ""},
		{"linux/arm64/v8.2", "linux/arm64/v8.2", ""},
		{"linux", "", "want os/arch"},
		{"linux/", "", "empty element"},
		{"linux/arm/8", "", "GOARM accepts 5, 6, 7"},
		{"linux/amd64/v5", "", "GOAMD64 accepts"},
		{"darwin/arm64/v7", "", "unknown arm64 variant"},
		{"windows/s390x/x", "", "has no variants"},
		{"Linux/amd64", "", "unexpected character"},
		{"a/b/c/d", "", "want os/arch"},
	}
	for _, tt := range tests {
		p, err := Parse(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Parse(%q) error = %v, want containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q) error = %v", tt.in, err)
			continue
		}
		if got := p.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if q, err := Parse(p.String()); err != nil || q != p {
			t.Errorf("Parse(String(%v)) = %v, %v; want round trip", p, q, err)
		}
	}
}

func TestVariantEnv(t *testing.T) {
	for in, want := range map[string]string{
		"linux/arm/7":            "GOARM=7",
		"linux/amd64/v3":         "GOAMD64=v3",
		"linux/amd64":            "",
		"linux/mipsle/softfloat": "GOMIPS=softfloat",
	} {
		if got := MustParse(in).VariantEnv(); got != want {
			t.Errorf("MustParse(%q).VariantEnv() = %q, want %q", in, got, want)
		}
	}
}

// Every platform of the active toolchain parses and round-trips, and every
// variant of its arch does too.
func TestDistListRoundTrip(t *testing.T) {
	u := testUniverse(t)
	if len(u.All()) < 30 {
		t.Fatalf("universe has %d platforms, want the toolchain's ~45", len(u.All()))
	}
	for _, in := range u.All() {
		p, err := Parse(in.String())
		if err != nil || p != in.Platform {
			t.Errorf("Parse(%q) = %v, %v", in.String(), p, err)
		}
		for _, v := range variants[in.Arch].values {
			s := in.String() + "/" + v
			if p, err := Parse(s); err != nil || p.String() != s {
				t.Errorf("Parse(%q) = %v, %v", s, p, err)
			}
		}
		if err := u.Lookup(p); err != nil {
			t.Errorf("Lookup(%v) = %v", p, err)
		}
	}
}

func names(ps []Platform) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.String())
	}
	return strings.Join(s, ",")
}

func TestSelect(t *testing.T) {
	u := testUniverse(t)
	tests := []struct {
		sel, want, err string
	}{
		{"default", "darwin/amd64,darwin/arm64,linux/amd64,linux/arm/7,linux/arm64,windows/amd64,windows/arm64", ""},
		{"linux/amd64,linux/amd64", "linux/amd64", ""},
		{"!windows/*", "darwin/amd64,darwin/arm64,linux/amd64,linux/arm/7,linux/arm64", ""},
		{"default,!linux/arm", "darwin/amd64,darwin/arm64,linux/amd64,linux/arm64,windows/amd64,windows/arm64", ""},
		{"default,!linux/arm/6", "darwin/amd64,darwin/arm64,linux/amd64,linux/arm/7,linux/arm64,windows/amd64,windows/arm64", ""},
		{"first-class,!*/386", "darwin/amd64,darwin/arm64,linux/amd64,linux/arm,linux/arm64,windows/amd64", ""},
		{"linux/riscv64,linux/s390x,!linux/s390x", "linux/riscv64", ""},
		{"linux/amd64/v3, windows/arm64", "linux/amd64/v3,windows/arm64", ""},
		{"linux/amd65", "", `unknown platform "linux/amd65"; did you mean linux/amd64`},
		{"linx/arm64", "", "did you mean linux/arm64"},
		{"plan10/*", "", "matches no platform"},
		{"linux/amd64,!linux/*", "", "selects no platform"},
		{"linux/amd65,darwin/arm46", "", "darwin/arm46"},
		{"linux/[", "", "bad glob"},
		{"!", "", "empty term"},
	}
	for _, tt := range tests {
		got, err := Select(u, tt.sel, Default)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Select(%q) error = %v, want containing %q", tt.sel, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Select(%q) error = %v", tt.sel, err)
			continue
		}
		if names(got) != tt.want {
			t.Errorf("Select(%q) = %s, want %s", tt.sel, names(got), tt.want)
		}
	}
	_, err := Select(u, "linux/amd65,darwin/arm46", Default)
	var ue *UnknownError
	if !errors.As(err, &ue) {
		t.Errorf("Select error %T does not wrap *UnknownError", err)
	}
	if all, _ := Select(u, "all", nil); len(all) != len(u.All()) {
		t.Errorf("Select(all) = %d platforms, want %d", len(all), len(u.All()))
	}
}

func TestShards(t *testing.T) {
	u := testUniverse(t)
	all, err := Select(u, "all", nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 8; n++ {
		seen := map[Platform]int{}
		for i := 1; i <= n; i++ {
			s, err := ParseShard(Shard{i, n}.String())
			if err != nil {
				t.Fatal(err)
			}
			part := s.Of(all)
			if !reflect.DeepEqual(part, s.Of(all)) {
				t.Fatalf("shard %v is not deterministic", s)
			}
			if d := len(part) - len(all)/n; d < 0 || d > 1 {
				t.Errorf("shard %v has %d of %d platforms: unbalanced", s, len(part), len(all))
			}
			for _, p := range part {
				seen[p]++
			}
		}
		for _, p := range all {
			if seen[p] != 1 {
				t.Errorf("n=%d: %v covered %d times, want once", n, p, seen[p])
			}
		}
	}
	for _, bad := range []string{"0/3", "4/3", "1/0", "x", "1-3", "/", "-1/2"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted bad input", bad)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"linux/amd64", "linux/arm/7", "linux/amd64/v3", "a/b/c", "", "/", "linux/arm/v7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err != nil {
			return
		}
		q, err := Parse(p.String())
		if err != nil || q != p {
			t.Fatalf("Parse(%q) = %v but Parse(String) = %v, %v", s, p, q, err)
		}
	})
}

func FuzzSelect(f *testing.F) {
	for _, s := range []string{"default", "linux/*,!linux/386", "all,!*/arm", "first-class", "linux/amd65", "!"} {
		f.Add(s)
	}
	u := NewUniverse([]Info{{Platform: Platform{"linux", "amd64", ""}, FirstClass: true}, {Platform: Platform{"linux", "arm", ""}}, {Platform: Platform{"windows", "amd64", ""}}})
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := Select(u, s, []Platform{{"linux", "amd64", ""}})
		if err == nil && len(ps) == 0 {
			t.Fatalf("Select(%q) returned no platforms and no error", s)
		}
	})
}
