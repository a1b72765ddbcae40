package gobuild_test

import (
	"context"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

const cfeaturePkg = samplePkg + "/internal/cfeature"

// TestCgoDetected: the sample app's linux-only C component makes every
// linux build a static cgo build with the right compiler, and the C code
// really runs (-selftest prints "selftest ok: c", which a CGO_ENABLED=0 stub
// cannot). darwin and windows builds are pure Go.
func TestCgoDetected(t *testing.T) {
	testtool.Need(t, "musl-gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc")
	_, results := sharedBuild(t)
	wantCC := map[string]string{"linux/amd64": "musl-gcc", "linux/arm64": "aarch64-linux-gnu-gcc", "linux/arm/7": "arm-linux-gnueabihf-gcc"}
	qemu := map[string]string{"linux/arm64": "qemu-aarch64-static", "linux/arm/7": "qemu-arm-static"}
	for _, r := range results {
		p := r.Spec.Platform.String()
		t.Run(r.Spec.Platform.Slug(), func(t *testing.T) {
			if !r.Static {
				t.Errorf("Result.Static is false; the build links statically (cgo %v, CC %q)", r.Cgo, r.CC)
			}
			if r.Spec.Platform.OS != "linux" {
				if r.Cgo || r.CC != "" || len(r.CgoPackages) != 0 {
					t.Errorf("Cgo %v, CC %q, CgoPackages %q; want a pure Go build", r.Cgo, r.CC, r.CgoPackages)
				}
				return
			}
			if !r.Cgo || r.CC != wantCC[p] || !slices.Equal(r.CgoPackages, []string{cfeaturePkg}) {
				t.Errorf("Cgo %v, CC %q, CgoPackages %q; want true, %q, [%s]", r.Cgo, r.CC, r.CgoPackages, wantCC[p], cfeaturePkg)
			}
			f, err := elf.Open(r.Spec.Out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			for _, prog := range f.Progs {
				if prog.Type == elf.PT_INTERP {
					t.Errorf("the cgo build has an interpreter: not static")
				}
			}
			if libs, _ := f.ImportedLibraries(); len(libs) != 0 {
				t.Errorf("the cgo build needs %q: not static", libs)
			}
			args := []string{r.Spec.Out, "-selftest"}
			if q := qemu[p]; q != "" {
				args = append(testtool.Need(t, q), args...)
			} else if p != "linux/amd64" {
				t.Skip("no way to run", p)
			}
			out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "selftest ok: c\n") {
				t.Errorf("%s -selftest: %v\n%s", p, err, out)
			}
		})
	}
}

// TestCgoOff: with cgo off, a dependency that needs cgo is refused with a
// *CgoOffError naming it, rather than built into a stub; a platform whose
// dependencies need no cgo still builds.
func TestCgoOff(t *testing.T) {
	dir, _ := sharedBuild(t)
	out := t.TempDir()
	off := specs(dir, out, []matrix.Platform{matrix.MustParse("linux/amd64"), matrix.MustParse("windows/amd64")})
	for i := range off {
		off[i].Cgo = gobuild.CgoOff
	}
	rs, err := newEngine(t).BuildAll(context.Background(), off, nil)
	if err == nil {
		t.Fatal("a linux build with cgo off succeeded: it shipped the stub")
	}
	var ce *gobuild.CgoOffError
	if !errors.As(rs[0].Err, &ce) {
		t.Fatalf("linux/amd64: %T %v; want a *CgoOffError", rs[0].Err, rs[0].Err)
	}
	if ce.Platform.String() != "linux/amd64" || !slices.Equal(ce.Packages, []string{cfeaturePkg}) || !strings.Contains(ce.Error(), cfeaturePkg) {
		t.Errorf("CgoOffError %+v: %v; want linux/amd64 and %s", ce, ce, cfeaturePkg)
	}
	if names := listTree(t, filepath.Dir(off[0].Out)); len(names) != 0 {
		t.Errorf("a refused build left %q", names)
	}
	if rs[1].Status != gobuild.Built || rs[1].Cgo {
		t.Errorf("windows/amd64 with cgo off: %s, cgo %v, %v; want built without cgo", rs[1].Status, rs[1].Cgo, rs[1].Err)
	}
}

// TestToolchainError: a cgo build for a platform whose C cross compiler is
// missing fails with a *ToolchainError that says which Debian packages to
// install and which Go packages need cgo.
func TestToolchainError(t *testing.T) {
	dir, _ := sharedBuild(t)
	if _, err := exec.LookPath("riscv64-linux-gnu-gcc"); err == nil {
		t.Skip("riscv64-linux-gnu-gcc is installed here")
	}
	e := newEngine(t, gobuild.WithEnv(envWithPath(t, "go")))
	s := spec(dir, t.TempDir(), matrix.MustParse("linux/riscv64"))
	r := e.Build(context.Background(), s)
	var te *gobuild.ToolchainError
	if !errors.As(r.Err, &te) {
		t.Fatalf("%s, %v; want a *ToolchainError", r.Status, r.Err)
	}
	msg := r.Err.Error()
	for _, want := range []string{"linux/riscv64", "riscv64-linux-gnu-gcc", "apt-get install gcc-riscv64-linux-gnu", cfeaturePkg} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not say %q:\n%s", want, msg)
		}
	}
	if !slices.Equal(te.Packages, []string{cfeaturePkg}) || te.CC != "riscv64-linux-gnu-gcc" {
		t.Errorf("ToolchainError %+v", te)
	}
	if _, err := os.Stat(s.Out); err == nil {
		t.Errorf("%s exists after a failed build", s.Out)
	}
}

// TestToolchainFromEnvPath: the C compiler is looked up in the PATH the
// builds run with (the engine's environment), not only in kiln's own.
func TestToolchainFromEnvPath(t *testing.T) {
	testtool.Need(t, "aarch64-linux-gnu-gcc")
	dir, _ := sharedBuild(t)
	e := newEngine(t, gobuild.WithEnv(envWithPath(t, "go")))
	r := e.Build(context.Background(), spec(dir, t.TempDir(), matrix.MustParse("linux/arm64")))
	var te *gobuild.ToolchainError
	if !errors.As(r.Err, &te) {
		t.Fatalf("%s, %v; want a *ToolchainError for aarch64-linux-gnu-gcc", r.Status, r.Err)
	}
}

// envWithPath returns the environment with PATH set to a directory that
// holds only the named tools (symlinks to the installed ones).
func envWithPath(t *testing.T, tools ...string) []string {
	t.Helper()
	bin := t.TempDir()
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(p, filepath.Join(bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	return append(env, "PATH="+bin)
}
