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

// TestCgoOff: cgo off is the maintainers' statement, honoured: the build
// runs without cgo, leaving out the cgo files of the package that has
// them (the sample's cfeature compiles to its stub, which -selftest
// shows), and the Result names that package; a platform whose
// dependencies need no cgo builds as usual and names none.
func TestCgoOff(t *testing.T) {
	dir, _ := sharedBuild(t)
	out := t.TempDir()
	off := specs(dir, out, []matrix.Platform{matrix.MustParse("linux/amd64"), matrix.MustParse("windows/amd64")})
	for i := range off {
		off[i].Cgo = gobuild.CgoOff
	}
	e := newEngine(t)
	rs, err := e.BuildAll(context.Background(), off, nil)
	if err != nil {
		t.Fatalf("builds with cgo off: %v", err)
	}
	if r := rs[0]; r.Status != gobuild.Built || r.Cgo || !r.Static || !slices.Equal(r.CgoLeftOut, []string{cfeaturePkg}) {
		t.Errorf("linux/amd64 with cgo off: %s, cgo %v, static %v, left out %q; want built without cgo, %s left out", r.Status, r.Cgo, r.Static, r.CgoLeftOut, cfeaturePkg)
	}
	if got, _ := exec.Command(off[0].Out, "-selftest").CombinedOutput(); strings.Contains(string(got), "selftest ok: c") {
		t.Errorf("the cgo-off build ran the C code: %s", got)
	}
	if rs[1].Status != gobuild.Built || rs[1].Cgo || len(rs[1].CgoLeftOut) != 0 {
		t.Errorf("windows/amd64 with cgo off: %s, cgo %v, left out %q; want built without cgo, nothing left out", rs[1].Status, rs[1].Cgo, rs[1].CgoLeftOut)
	}
	// Up to date, the decision is remembered; auto is another build.
	again, _ := e.BuildAll(context.Background(), off[:1], nil)
	if again[0].Status != gobuild.UpToDate || !slices.Equal(again[0].CgoLeftOut, []string{cfeaturePkg}) {
		t.Errorf("again: %s, left out %q", again[0].Status, again[0].CgoLeftOut)
	}
	if testtool.Need(t, "musl-gcc"); true {
		auto := off[0]
		auto.Cgo = gobuild.CgoAuto
		r := e.Build(context.Background(), auto)
		if r.Status != gobuild.Built || !r.Cgo || len(r.CgoLeftOut) != 0 {
			t.Errorf("auto after off: %s, cgo %v, left out %q; want a cgo build", r.Status, r.Cgo, r.CgoLeftOut)
		}
	}
}

// TestConfiguredCCMissing: a C compiler configured for a platform that is
// not there is a *ToolchainError naming it before anything is built, with
// the caller's hint.
func TestConfiguredCCMissing(t *testing.T) {
	dir, _ := sharedBuild(t)
	for _, cc := range []string{"/nonexistent/bin/cc", "no-such-cc-kiln -static"} {
		s := spec(dir, t.TempDir(), matrix.MustParse("linux/amd64"))
		s.CC = cc
		r := newEngine(t).Build(context.Background(), s)
		var te *gobuild.ToolchainError
		if !errors.As(r.Err, &te) || te.CC != cc || !slices.Equal(te.Packages, []string{cfeaturePkg}) {
			t.Fatalf("CC %q: %s %v; want a *ToolchainError naming it", cc, r.Status, r.Err)
		}
		te.Hint = "set this line"
		if msg := r.Err.Error(); !strings.Contains(msg, cc) || !strings.HasSuffix(msg, "\nset this line") {
			t.Errorf("CC %q: the error %q does not name it with the hint", cc, msg)
		}
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

// TestCgoModeValid: the three modes are valid; "" (no statement) and
// anything else are not.
func TestCgoModeValid(t *testing.T) {
	for m, want := range map[gobuild.CgoMode]bool{gobuild.CgoAuto: true, gobuild.CgoOn: true, gobuild.CgoOff: true, "": false, "sometimes": false, "OFF": false} {
		if m.Valid() != want {
			t.Errorf("CgoMode(%q).Valid() = %v, want %v", m, !want, want)
		}
	}
}
