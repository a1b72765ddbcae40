package verify

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/universal"
)

// TestCheckSlices: a universal binary joined by pack/universal passes
// when it holds exactly the claimed platforms' slices, each with its build
// info, linkage and (arm64) signature; a missing slice, an unsigned arm64
// slice or a thin file fails.
func TestCheckSlices(t *testing.T) {
	t.Parallel()
	amd64, arm64 := mustRead(t, bin(t, "darwin-amd64")), mustRead(t, bin(t, "darwin-arm64"))
	dir := t.TempDir()
	join := func(name string, slices ...[]byte) string {
		var b bytes.Buffer
		if _, err := universal.Join(&b, slices...); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	both := []matrix.Platform{matrix.MustParse("darwin/amd64"), matrix.MustParse("darwin/arm64")}
	tests := []struct {
		name string
		path string
		errs []string
	}{
		{"both slices", join("fat", amd64, arm64), nil},
		{"arm64 slice missing", join("amd64-only", amd64), []string{"universal slices: file has amd64, want amd64, arm64", "arch: file has slices amd64, want arm64"}},
		{"arm64 slice unsigned", join("unsigned", amd64, removeCodeSignature(t, arm64)),
			[]string{"arm64 slice has no code signature (no LC_CODE_SIGNATURE): macOS on Apple silicon kills unsigned arm64 programs at launch"}},
		{"thin", bin(t, "darwin-arm64"), []string{"format: file has macho, want a universal Mach-O"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckSlices(r, Expect{Static: true, Cgo: new(bool)}, both)
			if tt.errs == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("CheckSlices passed")
			}
			for _, want := range tt.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			var se *SignatureError
			if strings.Contains(tt.name, "unsigned") && (!errors.As(err, &se) || !se.Slice) {
				t.Errorf("no *SignatureError of a slice in %v", err)
			}
		})
	}
}

// TestCheckJoined: a universal binary passes against the builds it joins
// and its own entry; the builds' cgo (when they agree), the entry's tags
// and main package are checked in every slice.
func TestCheckJoined(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if _, err := universal.Join(&b, mustRead(t, bin(t, "darwin-amd64")), mustRead(t, bin(t, "darwin-arm64"))); err != nil {
		t.Fatal(err)
	}
	r, err := Read(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	main := r.Slices[0].Main
	part := func(arch string, cgo bool) artifact.Artifact {
		return artifact.Artifact{Kind: artifact.Binary, OS: "darwin", Arch: arch, Main: main, Static: true, Cgo: cgo}
	}
	entry := artifact.Artifact{Kind: artifact.Universal, OS: "darwin", Arch: "universal", Main: main}
	tests := []struct {
		name  string
		a     artifact.Artifact
		parts []artifact.Artifact
		errs  []string
	}{
		{"the builds joined", entry, []artifact.Artifact{part("amd64", false), part("arm64", false)}, nil},
		{"builds disagreeing on cgo", entry, []artifact.Artifact{part("amd64", true), part("arm64", false)}, nil},
		{"cgo builds", entry, []artifact.Artifact{part("amd64", true), part("arm64", true)},
			[]string{"build info CGO_ENABLED: file has 0, want 1"}},
		{"another main package", artifact.Artifact{Kind: artifact.Universal, Main: "example.com/other"}, []artifact.Artifact{part("amd64", false), part("arm64", false)},
			[]string{"amd64 slice's build info main package: file has " + main + ", want example.com/other", "arm64 slice's build info main package"}},
		{"a tag", artifact.Artifact{Kind: artifact.Universal, Main: main, Tags: []string{"netgo"}}, []artifact.Artifact{part("amd64", false), part("arm64", false)},
			[]string{"build info -tags: file has none, want tag netgo"}},
		{"one build", entry, []artifact.Artifact{part("amd64", false)}, []string{"universal slices: file has amd64, arm64, want amd64"}},
		{"no builds", entry, nil, []string{"CheckJoined needs a Report and the builds joined"}},
	}
	for _, tt := range tests {
		err := CheckJoined(r, tt.a, tt.parts)
		if tt.errs == nil {
			if err != nil {
				t.Errorf("%s: CheckJoined = %v, want nil", tt.name, err)
			}
			continue
		}
		for _, want := range tt.errs {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: CheckJoined = %v, want it to say %q", tt.name, err, want)
			}
		}
	}
}
