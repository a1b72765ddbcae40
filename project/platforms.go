package project

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// goDefaultVariant is the variant Go builds when its GO* variable is
// unset (`GOARCH=arch go env`); a platform spelled with it is the same as
// one without a variant, except arm, which kiln always spells (linux/arm/7).
var goDefaultVariant = map[string]string{
	"amd64": "v1", "386": "sse2", "arm": "7", "arm64": "v8.0",
	"mips": "hardfloat", "mipsle": "hardfloat", "mips64": "hardfloat", "mips64le": "hardfloat",
	"ppc64": "power8", "ppc64le": "power8", "riscv64": "rva20u64",
}

// goreleaserDefaults are GoReleaser's defaults for a build that names no
// targets.
var (
	defaultGoos   = []string{"linux", "darwin", "windows"}
	defaultGoarch = []string{"amd64", "arm64", "386"}
	defaultGoarm  = "6"
	// firstClass is what GoReleaser's go_first_class and
	// go_118_first_class targets stand for (its own fixed list).
	firstClass = []string{"darwin_amd64", "darwin_arm64", "linux_386", "linux_amd64", "linux_arm", "linux_arm64", "windows_386", "windows_amd64"}
)

// variant returns the target's variant for its arch.
func (t Target) variant() string {
	switch t.Goarch {
	case "arm":
		v, _, _ := strings.Cut(t.Goarm, ",") // "7,softfloat": the float ABI has no kiln spelling
		return v
	case "amd64":
		return t.Goamd64
	case "386":
		return t.Go386
	case "arm64":
		return t.Goarm64
	case "mips", "mipsle", "mips64", "mips64le":
		return t.Gomips
	case "ppc64", "ppc64le":
		return t.Goppc64
	case "riscv64":
		return t.Goriscv64
	}
	return ""
}

// String is GoReleaser's spelling: linux_amd64_v1, linux_arm_7.
func (t Target) String() string {
	s := t.Goos + "_" + t.Goarch
	if v := t.variant(); v != "" {
		s += "_" + v
	}
	return s
}

// platform converts a target to kiln's platform, dropping a variant that
// is Go's default (but arm's).
func (t Target) platform() (matrix.Platform, error) {
	s := t.Goos + "/" + t.Goarch
	if v := t.variant(); v != "" && (t.Goarch == "arm" || v != goDefaultVariant[t.Goarch]) {
		s += "/" + v
	}
	return matrix.Parse(s)
}

// toTarget spells a platform as GoReleaser does, with Go's default
// variant filled in.
func toTarget(p matrix.Platform) Target {
	t := Target{Goos: p.OS, Goarch: p.Arch}
	v := cmp.Or(p.Variant, goDefaultVariant[p.Arch])
	t.setVariant(v)
	return t
}

// setVariant sets the variant field of t's arch to v; false when the arch
// has no variants.
func (t *Target) setVariant(v string) bool {
	switch t.Goarch {
	case "arm":
		t.Goarm = v
	case "amd64":
		t.Goamd64 = v
	case "386":
		t.Go386 = v
	case "arm64":
		t.Goarm64 = v
	case "mips", "mipsle", "mips64", "mips64le":
		t.Gomips = v
	case "ppc64", "ppc64le":
		t.Goppc64 = v
	case "riscv64":
		t.Goriscv64 = v
	default:
		return false
	}
	return true
}

// matches reports whether an ignore or override target names platform p:
// every field it sets equals p's, an empty field matches any (variants compared with Go's defaults
// filled in).
func (t Target) matches(p matrix.Platform) bool {
	pt := toTarget(p)
	if t.Goos != "" && t.Goos != pt.Goos || t.Goarch != "" && t.Goarch != pt.Goarch {
		return false
	}
	v := t.variant()
	return v == "" || v == pt.variant()
}

// parseTarget reads GoReleaser's "os_arch[_variant]".
func parseTarget(s string) (Target, error) {
	parts := strings.SplitN(s, "_", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Target{}, fmt.Errorf("target %q: want os_arch or os_arch_variant", s)
	}
	t := Target{Goos: parts[0], Goarch: parts[1]}
	if len(parts) == 2 && t.Goarch == "arm" {
		t.Goarm = defaultGoarm // as GoReleaser completes linux_arm
	}
	if len(parts) == 3 {
		if !t.setVariant(parts[2]) {
			return Target{}, fmt.Errorf("target %q: arch %s has no variants", s, t.Goarch)
		}
	}
	return t, nil
}

// Platforms returns the platforms the build states (its targets, or its
// goos × goarch × variants with GoReleaser's defaults), less its ignore
// entries, sorted; what cannot be a platform is a note.
func (b Build) Platforms() ([]matrix.Platform, []string) {
	var ts []Target
	var notes []string
	if len(b.Targets) > 0 {
		for _, s := range b.Targets {
			if s == "go_first_class" || s == "go_118_first_class" {
				for _, fc := range firstClass {
					t, _ := parseTarget(fc)
					ts = append(ts, t)
				}
				continue
			}
			t, err := parseTarget(s)
			if err != nil {
				notes = append(notes, err.Error()+"; left out")
				continue
			}
			ts = append(ts, t)
		}
	} else {
		for _, os := range orDefault(b.Goos, defaultGoos) {
			for _, arch := range orDefault(b.Goarch, defaultGoarch) {
				t := Target{Goos: os, Goarch: arch}
				variants := []string{""}
				switch arch {
				case "arm":
					variants = orDefault(b.Goarm, []string{defaultGoarm})
				case "amd64":
					variants = orDefault(b.Goamd64, variants)
				case "386":
					variants = orDefault(b.Go386, variants)
				case "arm64":
					variants = orDefault(b.Goarm64, variants)
				case "mips", "mipsle", "mips64", "mips64le":
					variants = orDefault(b.Gomips, variants)
				case "ppc64", "ppc64le":
					variants = orDefault(b.Goppc64, variants)
				case "riscv64":
					variants = orDefault(b.Goriscv64, variants)
				}
				for _, v := range variants {
					vt := t
					if v != "" {
						vt, _ = parseTarget(os + "_" + arch + "_" + v)
					}
					ts = append(ts, vt)
				}
			}
		}
	}
	var out []matrix.Platform
	for _, t := range ts {
		p, err := t.platform()
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v; left out", t, err))
			continue
		}
		if slices.ContainsFunc(b.Ignore, func(ig Target) bool { return ig.matches(p) }) || slices.Contains(out, p) {
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b matrix.Platform) int {
		return strings.Compare(a.String(), b.String())
	})
	return out, notes
}

func orDefault(l, def []string) []string {
	if len(l) == 0 {
		return def
	}
	return l
}

// Platforms returns every platform the file's Go builds state, sorted:
// the maintainers' matrix.
func (c *Config) Platforms() []matrix.Platform {
	var out []matrix.Platform
	for _, b := range c.Builds {
		if skip, err := b.Skipped(); !b.IsGo() || skip || err != nil {
			continue
		}
		ps, _ := b.Platforms()
		for _, p := range ps {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.SortFunc(out, func(a, b matrix.Platform) int { return strings.Compare(a.String(), b.String()) })
	return out
}
