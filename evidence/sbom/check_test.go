package sbom

import (
	"errors"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// TestCheckMismatches feeds Check SBOMs that disagree with the binary in
// one or several ways: every disagreement is reported, each a
// *MismatchError naming the module and field.
func TestCheckMismatches(t *testing.T) {
	b := build(t, "prog")
	facts := FileFacts{Name: "prog", SHA256: b.sha256, Created: commitTime}
	sbomOf := func(edit func(bi *debug.BuildInfo)) []byte {
		t.Helper()
		bi := *b.bi
		bi.Deps = nil
		for _, d := range b.bi.Deps {
			c := *d
			bi.Deps = append(bi.Deps, &c)
		}
		edit(&bi)
		out, err := SPDX(&bi, facts)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	dropDep := func(path string) func(*debug.BuildInfo) {
		return func(bi *debug.BuildInfo) {
			bi.Deps = slices.DeleteFunc(bi.Deps, func(d *debug.Module) bool { return d.Path == path })
		}
	}
	addDep := func(bi *debug.BuildInfo) {
		bi.Deps = append(bi.Deps, &debug.Module{Path: "github.com/evil/extra", Version: "v6.6.6"})
	}
	setVersion := func(bi *debug.BuildInfo) {
		for _, d := range bi.Deps {
			if d.Path == "github.com/spf13/pflag" {
				d.Version, d.Sum = "v1.0.5", "h1:iy+VFUOCP1a+8yFto/drg2CJ5u0yRoB7fZw3DKv/JXA="
			}
		}
	}
	noReplace := func(bi *debug.BuildInfo) {
		for _, d := range bi.Deps {
			if d.Path == "golang.org/x/text" {
				d.Replace = nil
			}
		}
	}
	tests := []struct {
		name   string
		sbom   []byte
		sha256 string
		want   []MismatchError // Module and Field only
	}{
		{"wrong sha256", sbomOf(func(*debug.BuildInfo) {}), strings.Repeat("0", 64), []MismatchError{{Field: "sha256"}}},
		{"missing module", sbomOf(dropDep("github.com/spf13/pflag")), b.sha256, []MismatchError{{Module: "github.com/spf13/pflag", Field: "module"}}},
		{"extra module", sbomOf(addDep), b.sha256, []MismatchError{{Module: "github.com/evil/extra", Field: "module"}}},
		{"other version", sbomOf(setVersion), b.sha256, []MismatchError{
			{Module: "github.com/spf13/pflag", Field: "version"}, {Module: "github.com/spf13/pflag", Field: "purl"}, {Module: "github.com/spf13/pflag", Field: "checksum"}}},
		{"replacement not recorded", sbomOf(noReplace), b.sha256, []MismatchError{
			{Module: "golang.org/x/text", Field: "version"}, {Module: "golang.org/x/text", Field: "purl"},
			{Module: "golang.org/x/text", Field: "checksum"}, {Module: "golang.org/x/text", Field: "sourceInfo"}}},
		{"everything at once", sbomOf(func(bi *debug.BuildInfo) {
			dropDep("github.com/spf13/pflag")(bi)
			addDep(bi)
			bi.Main.Path = "example.com/other"
			bi.GoVersion = "go1.20"
		}), strings.Repeat("1", 64), []MismatchError{
			{Field: "sha256"}, {Field: "main module"}, {Module: "stdlib", Field: "version"},
			{Module: "github.com/spf13/pflag", Field: "module"}, {Module: "github.com/evil/extra", Field: "module"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.sbom, tt.sha256, b.bi)
			if err == nil {
				t.Fatalf("Check = nil, want %v", tt.want)
			}
			var got []MismatchError
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var m *MismatchError
				if !errors.As(e, &m) {
					t.Fatalf("Check error %v is not a *MismatchError", e)
				}
				if m.Error() == "" {
					t.Errorf("empty message for %+v", m)
				}
				got = append(got, MismatchError{Module: m.Module, Field: m.Field})
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Check = %v\n got  %v\n want %v", err, got, tt.want)
			}
		})
	}
}

func TestCheckMessages(t *testing.T) {
	tests := []struct {
		e    MismatchError
		want string
	}{
		{MismatchError{Module: "m", Field: "module", Want: "v1"}, "sbom: module m v1 is in the binary but not in the SBOM"},
		{MismatchError{Module: "m", Field: "module", Got: "v2"}, "sbom: module m v2 is in the SBOM but not in the binary"},
		{MismatchError{Field: "sha256", Want: "aa", Got: "bb"}, `sbom: binary sha256: SBOM has "bb", binary has "aa"`},
		{MismatchError{Module: "m", Field: "version", Want: "v1", Got: "v2"}, `sbom: module m: version: SBOM has "v2", binary has "v1"`},
		{MismatchError{Module: "left-pad", Field: "package", Got: "1.3.0 pkg:npm/left-pad@1.3.0"}, "sbom: package left-pad 1.3.0 pkg:npm/left-pad@1.3.0 is in the SBOM but not in the binary's build info"},
		{MismatchError{Field: "content", Path: "packages[2].licenseDeclared", Want: `"NOASSERTION"`, Got: `"MIT"`}, `sbom: packages[2].licenseDeclared: SBOM has "MIT", kiln writes "NOASSERTION" for this binary`},
		{MismatchError{Field: "content", Path: "extra", Got: `1`}, `sbom: extra: SBOM has 1, kiln writes nothing for this binary`},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.e, got, tt.want)
		}
	}
}

// TestCheckNotSPDX: inputs that are not kiln SBOMs are errors, not panics.
func TestCheckNotSPDX(t *testing.T) {
	bi := parseGolden(t)
	for _, in := range []string{"", "null", "[]", "{}", `{"spdxVersion":"SPDX-2.2"}`, `{"spdxVersion":"SPDX-2.3"}`,
		`{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"a"}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"a"},{"spdxElementId":"SPDXRef-DOCUMENT","relationshipType":"DESCRIBES","relatedSpdxElement":"a"}]}`} {
		if err := Check([]byte(in), strings.Repeat("0", 64), bi); err == nil {
			t.Errorf("Check(%q) = nil, want an error", in)
		}
	}
	if err := Check([]byte("{}"), "", nil); err == nil {
		t.Error("Check(nil build info) = nil")
	}
}
