package gobuild_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/verify"
)

// sampleCC is the C compiler the sample app's cgo build needs per
// platform of the default matrix (its C component is linux-only).
var sampleCC = map[string]string{"linux/amd64": "musl-gcc", "linux/arm64": "aarch64-linux-gnu-gcc", "linux/arm/7": "arm-linux-gnueabihf-gcc"}

// TestBuildMatrix builds the sample app for the default matrix (linux,
// darwin and windows on two or three architectures each) and checks every
// output's format and architecture with debug/elf, debug/pe and debug/macho,
// then cross-checks with verify.
func TestBuildMatrix(t *testing.T) {
	_, results := sharedBuild(t)
	if len(results) != len(matrix.Default) {
		t.Fatalf("BuildAll returned %d results for %d specs", len(results), len(matrix.Default))
	}
	wantFormat := map[string]string{"linux": "elf", "windows": "pe", "darwin": "macho"}
	for i, r := range results {
		p := r.Spec.Platform
		t.Run(p.Slug(), func(t *testing.T) {
			if cc := sampleCC[p.String()]; cc != "" {
				testtool.Need(t, cc) // the sample's C component, linked statically
			}
			if p != matrix.Default[i] {
				t.Fatalf("result %d is for %s, want %s (results must be in the order of the specs)", i, p, matrix.Default[i])
			}
			if r.Status != gobuild.Built || r.Err != nil {
				t.Fatalf("status %q, err %v; want built", r.Status, r.Err)
			}
			format, arch, err := binFormat(r.Spec.Out)
			if err != nil {
				t.Fatal(err)
			}
			if format != wantFormat[p.OS] || arch != p.Arch {
				t.Errorf("%s is %s/%s, want %s/%s", r.Spec.Out, format, arch, wantFormat[p.OS], p.Arch)
			}
			fi, err := os.Stat(r.Spec.Out)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm()&0o111 == 0 {
				t.Errorf("%s has mode %v, want executable", r.Spec.Out, fi.Mode())
			}
			data, err := os.ReadFile(r.Spec.Out)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if r.Size != int64(len(data)) || r.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("Result says size %d sha256 %s; the file has %d, %x", r.Size, r.SHA256, len(data), sum)
			}
			if names := listTree(t, filepath.Dir(r.Spec.Out)); hasTemp(names) {
				t.Errorf("temporary files left beside the output: %q", names)
			}
			// The sample's C component is linux-only: only linux builds use cgo.
			if want := p.OS == "linux"; r.Cgo != want {
				t.Errorf("Result.Cgo = %v, want %v", r.Cgo, want)
			}
			rep, err := verify.ReadFile(r.Spec.Out)
			if err != nil {
				t.Fatal(err)
			}
			// verify reports the default variant (GOAMD64=v1) when none was asked for.
			if rep.Format != format || rep.OS != p.OS || rep.Arch != p.Arch || p.Variant != "" && rep.Variant != p.Variant {
				t.Errorf("verify: %s %s/%s variant %q; want %s %s", rep.Format, rep.OS, rep.Arch, rep.Variant, format, p)
			}
			if err := rep.StaticError(); err != nil {
				t.Errorf("not static: %v", err)
			}
		})
	}
}

// TestBinFormatRejects proves the format check can fail.
func TestBinFormatRejects(t *testing.T) {
	if f, a, err := binFormat("helpers_test.go"); err == nil {
		t.Errorf("binFormat(a Go source) = %s, %s, nil; want an error", f, a)
	}
}

// TestStamping checks what the engine puts into a binary: the Spec's
// version facts (-X), -trimpath, and the build settings recorded in the
// build info.
func TestStamping(t *testing.T) {
	testtool.Need(t, "musl-gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc")
	dir, results := sharedBuild(t)

	t.Run("version", func(t *testing.T) {
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			t.Skip("runs the linux/amd64 binary")
		}
		r := sharedResult(t, "linux/amd64")
		got := runBin(t, r.Spec.Out, "-version")
		want := "sample-app v1.2.3-test (commit 0123456789abcdef, built 2024-05-06T07:08:09Z, linux/amd64)\n"
		if got != want {
			t.Errorf("%s -version printed %q, want %q", r.Spec.Out, got, want)
		}
	})

	t.Run("version with spaces and quotes", func(t *testing.T) {
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			t.Skip("runs the linux/amd64 binary")
		}
		s := spec(dir, t.TempDir(), matrix.MustParse("linux/amd64"))
		s.Stamp.Version, s.Stamp.Commit = "1.0 beta 'two'", `c "d"`
		r := newEngine(t).Build(context.Background(), s)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		got := runBin(t, s.Out, "-version")
		if want := `sample-app 1.0 beta 'two' (commit c "d", built 2024-05-06T07:08:09Z, linux/amd64)` + "\n"; got != want {
			t.Errorf("-version printed %q, want %q", got, want)
		}
	})

	t.Run("trimpath", func(t *testing.T) {
		for _, r := range results {
			data, err := os.ReadFile(r.Spec.Out)
			if err != nil {
				t.Fatal(err)
			}
			// Control: the binary does name its sources, trimmed to import paths.
			if !bytes.Contains(data, []byte(samplePkg+"/main.go")) {
				t.Errorf("%s: %s/main.go not found; the check below would prove nothing", r.Spec.Platform, samplePkg)
			}
			for _, p := range []string{dir, tmpRoot} {
				if bytes.Contains(data, []byte(p)) {
					t.Errorf("%s: the binary contains the build path %s (no -trimpath?)", r.Spec.Platform, p)
				}
			}
		}
	})

	t.Run("buildinfo", func(t *testing.T) {
		for _, r := range results {
			p := r.Spec.Platform
			bi, err := buildinfo.ReadFile(r.Spec.Out)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			set := map[string]string{}
			for _, s := range bi.Settings {
				set[s.Key] = s.Value
			}
			want := map[string]string{"GOOS": p.OS, "GOARCH": p.Arch, "-trimpath": "true", "CGO_ENABLED": "0"}
			if p.OS == "linux" {
				want["CGO_ENABLED"] = "1"
				want["-tags"] = "netgo,osusergo" // a static cgo build resolves names in Go
			}
			if v := p.VariantEnv(); v != "" {
				k, val, _ := strings.Cut(v, "=")
				want[k] = val
			}
			for k, v := range want {
				if set[k] != v {
					t.Errorf("%s: build info %s = %q, want %q", p, k, set[k], v)
				}
			}
			if bi.Path != samplePkg {
				t.Errorf("%s: build info path %q, want %q", p, bi.Path, samplePkg)
			}
		}
	})
}

// TestReproducible builds the sample app from two checkouts at different
// paths into different output directories: the binaries must be
// byte-identical, for a pure Go and a static cgo build alike. A different
// stamp must change them (the comparison can fail).
func TestReproducible(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "musl-gcc")
	ps := []matrix.Platform{matrix.MustParse("linux/amd64"), matrix.MustParse("windows/amd64"), matrix.MustParse("darwin/arm64")}
	base := t.TempDir()
	a := copyModule(t, filepath.Join(base, "a"))
	b := copyModule(t, filepath.Join(base, "checkouts", "second", "sample"))
	sa, sb := specs(a, filepath.Join(base, "out-a"), ps), specs(b, filepath.Join(base, "dist-b", "x"), ps)
	other := spec(b, filepath.Join(base, "other"), ps[1])
	other.Stamp.Commit = "fedcba9876543210"
	rs, err := newEngine(t).BuildAll(context.Background(), append(append(sa, sb...), other), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		da, db := mustRead(t, rs[i].Spec.Out), mustRead(t, rs[len(ps)+i].Spec.Out)
		if !bytes.Equal(da, db) {
			t.Errorf("%s: %s and %s differ (%d and %d bytes)", p, rs[i].Spec.Out, rs[len(ps)+i].Spec.Out, len(da), len(db))
		}
		if rs[i].SHA256 != rs[len(ps)+i].SHA256 {
			t.Errorf("%s: Result.SHA256 differs: %s and %s", p, rs[i].SHA256, rs[len(ps)+i].SHA256)
		}
	}
	if bytes.Equal(mustRead(t, sa[1].Out), mustRead(t, other.Out)) {
		t.Errorf("a different commit stamp gave the same binary")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// runBin runs a built binary and returns its stdout; a failure is fatal.
func runBin(t *testing.T, path string, args ...string) string {
	t.Helper()
	cmd := exec.Command(path, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", path, strings.Join(args, " "), err, out, stderr.Bytes())
	}
	return string(out)
}
