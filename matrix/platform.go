// Package matrix describes Go target platforms: a Platform value with one
// canonical string form ("linux/arm/7", "linux/amd64/v3"), the universe of
// platforms the active toolchain supports (from `go tool dist list -json`),
// selectors over that universe and deterministic shards.
//
// Grammar of a platform:
//
//	os/arch[/variant]
//
// where variant is the value of the arch's GO* variable: GOARM (5, 6, 7),
// GOAMD64 (v1–v4), GO386 (sse2, softfloat), GOMIPS and GOMIPS64 (hardfloat,
// softfloat), GOPPC64 (power8, power9, power10), GOARM64 (v8.0–v9.5),
// GORISCV64 (rva20u64, rva22u64, rva23u64).
package matrix

import (
	"fmt"
	"strings"
)

// Platform is one Go build target.
type Platform struct {
	OS      string `json:"os"`
	Arch    string `json:"arch"`
	Variant string `json:"variant,omitempty"`
}

// String returns the canonical form: "os/arch" or "os/arch/variant".
func (p Platform) String() string {
	if p.Variant == "" {
		return p.OS + "/" + p.Arch
	}
	return p.OS + "/" + p.Arch + "/" + p.Variant
}

// Slug returns the form used in file names: "os_arch" or "os_arch_variant".
func (p Platform) Slug() string {
	return strings.ReplaceAll(p.String(), "/", "_")
}

// Less orders platforms by OS, then arch, then variant.
func (p Platform) Less(q Platform) bool {
	if p.OS != q.OS {
		return p.OS < q.OS
	}
	if p.Arch != q.Arch {
		return p.Arch < q.Arch
	}
	return p.Variant < q.Variant
}

// Exe returns the executable suffix of the platform (".exe" on windows).
func (p Platform) Exe() string {
	if p.OS == "windows" {
		return ".exe"
	}
	return ""
}

// VariantEnv returns the environment assignment that selects the variant
// ("GOARM=7"), or "" when the platform has no variant.
func (p Platform) VariantEnv() string {
	if p.Variant == "" {
		return ""
	}
	v, ok := variants[p.Arch]
	if !ok {
		return ""
	}
	return v.env + "=" + p.Variant
}

type variantSet struct {
	env    string
	values []string
}

// variants lists, per GOARCH, the variable that selects a variant and the
// values the Go toolchain accepts for it.
var variants = map[string]variantSet{
	"arm":      {"GOARM", []string{"5", "6", "7"}},
	"amd64":    {"GOAMD64", []string{"v1", "v2", "v3", "v4"}},
	"386":      {"GO386", []string{"sse2", "softfloat"}},
	"mips":     {"GOMIPS", []string{"hardfloat", "softfloat"}},
	"mipsle":   {"GOMIPS", []string{"hardfloat", "softfloat"}},
	"mips64":   {"GOMIPS64", []string{"hardfloat", "softfloat"}},
	"mips64le": {"GOMIPS64", []string{"hardfloat", "softfloat"}},
	"ppc64":    {"GOPPC64", []string{"power8", "power9", "power10"}},
	"ppc64le":  {"GOPPC64", []string{"power8", "power9", "power10"}},
	"arm64": {"GOARM64", []string{
		"v8.0", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9",
		"v9.0", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5"}},
	"riscv64": {"GORISCV64", []string{"rva20u64", "rva22u64", "rva23u64"}},
}

// ParseError reports a string that is not a platform.
type ParseError struct {
	Input  string
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("platform %q: %s", e.Input, e.Reason)
}

// Parse parses "os/arch" or "os/arch/variant" and validates the variant for
// the arch. It does not check that the toolchain supports os/arch: see
// Universe.Lookup. Docker-style arm variants ("v7") and bare amd64 levels
// ("3") are accepted and canonicalized.
func Parse(s string) (Platform, error) {
	in := s
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return Platform{}, &ParseError{in, "want os/arch or os/arch/variant"}
	}
	for _, part := range parts {
		if part == "" {
			return Platform{}, &ParseError{in, "empty element; want os/arch or os/arch/variant"}
		}
		for _, r := range part {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_') {
				return Platform{}, &ParseError{in, fmt.Sprintf("unexpected character %q", r)}
			}
		}
	}
	p := Platform{OS: parts[0], Arch: parts[1]}
	if len(parts) == 3 {
		v, err := canonicalVariant(p.Arch, parts[2])
		if err != nil {
			return Platform{}, &ParseError{in, err.Error()}
		}
		p.Variant = v
	}
	return p, nil
}

func canonicalVariant(arch, v string) (string, error) {
	set, ok := variants[arch]
	if !ok {
		return "", fmt.Errorf("arch %s has no variants", arch)
	}
	switch {
	case arch == "arm" && strings.HasPrefix(v, "v"):
		v = v[1:]
	case arch == "amd64" && len(v) == 1:
		v = "v" + v
	}
	for _, ok := range set.values {
		if v == ok {
			return v, nil
		}
	}
	return "", fmt.Errorf("unknown %s variant %q (%s accepts %s)", arch, v, set.env, strings.Join(set.values, ", "))
}

// MustParse is Parse for constants in Go code; it panics on a bad platform.
// Use it only with literals, never with user input.
func MustParse(s string) Platform {
	p, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return p
}
