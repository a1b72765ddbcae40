package verify

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
