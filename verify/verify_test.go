package verify

import (
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

func ptr[T any](v T) *T { return &v }

func read(t *testing.T, path string) *Report {
	t.Helper()
	r, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile(%s) = %v", path, err)
	}
	return r
}

// TestReport checks the facts Read derives from real binaries.
func TestReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		build            string
		format, os, arch string
		variant, interp  string
		needed           []string
		static, pie      bool
	}{
		{"static", "elf", "linux", "amd64", "v1", "", nil, true, false},
		{"pie", "elf", "linux", "amd64", "v1", "/lib64/ld-linux-x86-64.so.2", nil, false, true},
		{"static-pie", "elf", "linux", "amd64", "v1", "", nil, true, true},
		{"cgo-glibc", "elf", "linux", "amd64", "v1", "/lib64/ld-linux-x86-64.so.2", []string{"libc.so.6"}, false, false},
		{"musl-static", "elf", "linux", "amd64", "v1", "", nil, true, false},
		{"musl-dynamic", "elf", "linux", "amd64", "v1", "/lib/ld-musl-x86_64.so.1", []string{"libc.so"}, false, false},
		{"glibc-static", "elf", "linux", "amd64", "v1", "", nil, true, false},
		{"linux-arm64", "elf", "linux", "arm64", "v8.0", "", nil, true, false},
		{"linux-arm7", "elf", "linux", "arm", "7", "", nil, true, false},
		{"win-amd64", "pe", "windows", "amd64", "v1", "", []string{"kernel32.dll"}, true, true},
		{"win-arm64", "pe", "windows", "arm64", "v8.0", "", []string{"kernel32.dll"}, true, true},
		{"darwin-amd64", "macho", "darwin", "amd64", "v1", "/usr/lib/dyld", []string{"/usr/lib/libSystem.B.dylib"}, true, true},
		{"darwin-arm64", "macho", "darwin", "arm64", "v8.0", "/usr/lib/dyld", []string{"/usr/lib/libSystem.B.dylib"}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.build, func(t *testing.T) {
			t.Parallel()
			r := read(t, bin(t, tt.build))
			got := []string{r.Format, r.OS, r.Arch, r.Variant, r.Interp}
			want := []string{tt.format, tt.os, tt.arch, tt.variant, tt.interp}
			if !slices.Equal(got, want) {
				t.Errorf("format, os, arch, variant, interp = %q, want %q", got, want)
			}
			// Mach-O adds libresolv for net; require only the listed ones.
			for _, n := range tt.needed {
				if !slices.Contains(r.Needed, n) {
					t.Errorf("Needed = %q, want it to contain %q", r.Needed, n)
				}
			}
			if tt.needed == nil && r.Needed != nil {
				t.Errorf("Needed = %q, want none", r.Needed)
			}
			if r.Static != tt.static || r.PIE != tt.pie {
				t.Errorf("Static, PIE = %v, %v, want %v, %v", r.Static, r.PIE, tt.static, tt.pie)
			}
			if r.Stripped {
				t.Errorf("Stripped = true for a build without -s")
			}
			if !strings.HasPrefix(r.GoVersion, "go1.") || r.Settings["GOARCH"] != tt.arch {
				t.Errorf("GoVersion, GOARCH = %q, %q", r.GoVersion, r.Settings["GOARCH"])
			}
		})
	}
}

func TestStripped(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"static-s", "win-amd64-s", "darwin-arm64-s"} {
		if r := read(t, bin(t, name)); !r.Stripped {
			t.Errorf("%s built with -s -w: Stripped = false", name)
		}
	}
}

// TestStaticError shows the linkage messages name what makes a file dynamic.
func TestStaticError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		build string
		want  []string // substrings of the error; nil = static
	}{
		{"static", nil},
		{"static-pie", nil},
		{"musl-static", nil},
		{"glibc-static", nil},
		{"cgo-glibc", []string{"interpreter /lib64/ld-linux-x86-64.so.2, needs libc.so.6"}},
		{"pie", []string{"interpreter /lib64/ld-linux-x86-64.so.2"}},
		{"musl-dynamic", []string{"interpreter /lib/ld-musl-x86_64.so.1", "needs libc.so"}},
	}
	for _, tt := range tests {
		t.Run(tt.build, func(t *testing.T) {
			t.Parallel()
			path := bin(t, tt.build)
			err := read(t, path).StaticError()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("StaticError() = %v, want nil", err)
				}
				return
			}
			var le *LinkageError
			if !errors.As(err, &le) || le.Path != path {
				t.Fatalf("StaticError() = %#v, want a *LinkageError for %s", err, path)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("StaticError() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

// TestPENonSystemDLL crafts a PE importing a non-system DLL by patching the
// import table's DLL name of a real CGO_ENABLED=0 build: "kernel32.dll" →
// "kernelxx.dll" (same length, so no offset moves).
func TestPENonSystemDLL(t *testing.T) {
	t.Parallel()
	path := patched(t, "win-amd64", "kernel32.dll", "kernelxx.dll")
	r := read(t, path)
	if !slices.Equal(r.Needed, []string{"kernelxx.dll"}) {
		t.Fatalf("Needed = %q, want [kernelxx.dll]", r.Needed)
	}
	err := r.StaticError()
	var le *LinkageError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "imports non-system DLLs kernelxx.dll") {
		t.Fatalf("StaticError() = %v, want a LinkageError naming kernelxx.dll", err)
	}
	if err := Check(r, Expect{Platform: matrix.MustParse("windows/amd64"), Static: true}); err == nil {
		t.Fatal("Check accepted a PE importing kernelxx.dll")
	}
}

func TestIsSystemDLL(t *testing.T) {
	for name, want := range map[string]bool{
		"KERNEL32.dll": true, "ntdll": true, "api-ms-win-core-synch-l1-2-0.dll": true, "WS2_32.DLL": true,
		"kernelxx.dll": false, "libgcc_s_seh-1.dll": false, "msvcp140.dll": false, "": false,
	} {
		if got := isSystemDLL(name); got != want {
			t.Errorf("isSystemDLL(%q) = %v, want %v", name, got, want)
		}
	}
	for p, want := range map[string]bool{
		"/usr/lib/libSystem.B.dylib": true, "/System/Library/Frameworks/Security.framework/Security": true,
		"/usr/local/lib/libfoo.dylib": false, "/usr/lib/../local/lib/x.dylib": false, "@rpath/libfoo.dylib": false,
	} {
		if got := isSystemDylib(p); got != want {
			t.Errorf("isSystemDylib(%q) = %v, want %v", p, got, want)
		}
	}
}

// machoLocal patches the LC_LOAD_DYLIB path of a real darwin build from
// "/usr/lib/libSystem.B.dylib" to "/usr/local/libSystem.dylib" (both 26
// bytes, so the load command keeps its size).
func machoLocal(t *testing.T, name string) string {
	return patched(t, name, "/usr/lib/libSystem.B.dylib", "/usr/local/libSystem.dylib")
}

func TestMachONonSystemDylib(t *testing.T) {
	t.Parallel()
	r := read(t, machoLocal(t, "darwin-arm64"))
	err := r.StaticError()
	if err == nil || !strings.Contains(err.Error(), "loads non-system dylibs /usr/local/libSystem.dylib") {
		t.Fatalf("StaticError() = %v, want it to name /usr/local/libSystem.dylib", err)
	}
	if err := Check(r, Expect{Platform: matrix.MustParse("darwin/arm64"), Static: true}); err == nil {
		t.Fatal("Check accepted a Mach-O loading /usr/local")
	}
}

// lipo makes a universal Mach-O of the two builds with llvm-lipo-14.
func lipo(t *testing.T, out string, builds ...string) string {
	t.Helper()
	tool := testtool.Need(t, "llvm-lipo-14")[0]
	args := []string{"-create", "-output", out}
	for _, b := range builds {
		if !filepath.IsAbs(b) {
			b = bin(t, b)
		}
		args = append(args, b)
	}
	if out, err := exec.Command(tool, args...).CombinedOutput(); err != nil {
		t.Fatalf("llvm-lipo-14 %q: %v\n%s", args, err, out)
	}
	return out
}

func TestUniversal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := read(t, lipo(t, filepath.Join(dir, "fat"), "darwin-amd64", "darwin-arm64"))
	if r.Format != "macho-universal" || r.OS != "darwin" || len(r.Slices) != 2 || !r.Static {
		t.Fatalf("Report = %+v, want a static darwin universal binary with 2 slices", r)
	}
	var arches []string
	for _, s := range r.Slices {
		arches = append(arches, s.Arch)
		if s.Format != "macho" || s.Settings["GOARCH"] != s.Arch || !s.Static {
			t.Errorf("slice %s: format %s, build info GOARCH %s, static %v", s.Arch, s.Format, s.Settings["GOARCH"], s.Static)
		}
	}
	if !slices.Equal(arches, []string{"amd64", "arm64"}) {
		t.Errorf("slice arches = %q, want [amd64 arm64]", arches)
	}
	for _, p := range []string{"darwin/amd64", "darwin/arm64"} {
		if err := Check(r, Expect{Platform: matrix.MustParse(p), Static: true, Cgo: ptr(false)}); err != nil {
			t.Errorf("Check(universal, %s) = %v", p, err)
		}
	}
	err := Check(r, Expect{Platform: matrix.MustParse("darwin/386")})
	if err == nil || !strings.Contains(err.Error(), "slices amd64, arm64") {
		t.Errorf("Check(universal, darwin/386) = %v, want an arch mismatch listing the slices", err)
	}

	// One bad slice makes the whole binary non-static, and the error names it.
	bad := lipo(t, filepath.Join(dir, "fat-bad"), "darwin-amd64", machoLocal(t, "darwin-arm64"))
	r = read(t, bad)
	err = r.StaticError()
	if r.Static || err == nil || !strings.Contains(err.Error(), "arm64 slice not static") {
		t.Fatalf("StaticError() = %v, want the arm64 slice rejected", err)
	}
	if !r.Slices[0].Static || r.Slices[1].Static {
		t.Errorf("slice Static = %v, %v, want true, false", r.Slices[0].Static, r.Slices[1].Static)
	}
}

// TestCheck shows each check of Check accepting the right file and
// rejecting a wrong one.
func TestCheck(t *testing.T) {
	t.Parallel()
	p := matrix.MustParse
	tests := []struct {
		name  string
		build string
		want  Expect
		errs  []string // substrings, one per expected problem; nil = accepted
	}{
		{"static", "static", Expect{Platform: p("linux/amd64"), Static: true, Cgo: ptr(false)}, nil},
		{"cgo dynamic", "cgo-glibc", Expect{Platform: p("linux/amd64"), Static: true, Cgo: ptr(true)},
			[]string{"interpreter /lib64/ld-linux-x86-64.so.2, needs libc.so.6"}},
		{"cgo dynamic, not claimed static", "cgo-glibc", Expect{Platform: p("linux/amd64"), Cgo: ptr(true)}, nil},
		{"pie", "pie", Expect{Platform: p("linux/amd64"), Static: true}, []string{"interpreter /lib64/ld-linux-x86-64.so.2"}},
		{"static-pie", "static-pie", Expect{Platform: p("linux/amd64"), Static: true, Cgo: ptr(true)}, nil},
		{"musl static", "musl-static", Expect{Platform: p("linux/amd64"), Static: true, Cgo: ptr(true)}, nil},
		{"musl dynamic", "musl-dynamic", Expect{Platform: p("linux/amd64"), Static: true}, []string{"interpreter /lib/ld-musl-x86_64.so.1"}},
		{"glibc static netgo", "glibc-static", Expect{Platform: p("linux/amd64"), Static: true, Cgo: ptr(true), Tags: []string{"netgo", "osusergo"}}, nil},
		{"arm64 filed as amd64", "linux-arm64", Expect{Platform: p("linux/amd64"), Static: true},
			[]string{"arch: file has arm64, want amd64", "build info GOARCH: file has arm64, want amd64"}},
		{"arm64", "linux-arm64", Expect{Platform: p("linux/arm64"), Static: true, Cgo: ptr(false)}, nil},
		{"arm7", "linux-arm7", Expect{Platform: p("linux/arm/7"), Static: true, Cgo: ptr(false)}, nil},
		{"arm7 filed as arm6", "linux-arm7", Expect{Platform: p("linux/arm/6")}, []string{"build info GOARM: file has 7, want 6"}},
		{"amd64 v1 filed as v3", "static", Expect{Platform: p("linux/amd64/v3")}, []string{"build info GOAMD64: file has v1, want v3"}},
		{"cgo recorded, cgo off claimed", "cgo-glibc", Expect{Platform: p("linux/amd64"), Cgo: ptr(false)},
			[]string{"build info CGO_ENABLED: file has 1, want 0"}},
		{"cgo off recorded, cgo claimed", "static", Expect{Platform: p("linux/amd64"), Cgo: ptr(true)},
			[]string{"build info CGO_ENABLED: file has 0, want 1"}},
		{"missing tag", "static", Expect{Platform: p("linux/amd64"), Tags: []string{"netgo"}},
			[]string{"build info -tags: file has none, want tag netgo"}},
		{"one of two tags missing", "glibc-static", Expect{Platform: p("linux/amd64"), Tags: []string{"netgo", "timetzdata"}},
			[]string{"file has netgo,osusergo, want tag timetzdata"}},
		{"windows amd64", "win-amd64", Expect{Platform: p("windows/amd64"), Static: true, Cgo: ptr(false)}, nil},
		{"windows arm64", "win-arm64", Expect{Platform: p("windows/arm64"), Static: true, Cgo: ptr(false)}, nil},
		{"darwin amd64", "darwin-amd64", Expect{Platform: p("darwin/amd64"), Static: true, Cgo: ptr(false)}, nil},
		{"darwin arm64", "darwin-arm64", Expect{Platform: p("darwin/arm64"), Static: true, Cgo: ptr(false)}, nil},
		{"windows filed as linux", "win-amd64", Expect{Platform: p("linux/amd64")},
			[]string{"OS: file has windows, want linux", "build info GOOS: file has windows, want linux"}},
		{"darwin filed as windows arm64", "darwin-arm64", Expect{Platform: p("windows/arm64")},
			[]string{"OS: file has darwin, want windows", "build info GOOS"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := read(t, bin(t, tt.build))
			err := Check(r, tt.want)
			if tt.errs == nil {
				if err != nil {
					t.Fatalf("Check(%s, %v) = %v, want nil", tt.build, tt.want.Platform, err)
				}
				return
			}
			var me *multierror.Error
			if !errors.As(err, &me) {
				t.Fatalf("Check(%s, %v) = %v, want a multierror", tt.build, tt.want.Platform, err)
			}
			if len(me.Errors) != len(tt.errs) {
				t.Errorf("Check(%s, %v) found %d problems, want %d: %v", tt.build, tt.want.Platform, len(me.Errors), len(tt.errs), err)
			}
			for _, w := range tt.errs {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check(%s, %v) = %v, want it to contain %q", tt.build, tt.want.Platform, err, w)
				}
			}
			if !strings.Contains(err.Error(), r.Path) {
				t.Errorf("Check error %q does not name the file", err)
			}
		})
	}
}

// TestARMFloat reads the float ABI from the ELF flags of an externally
// linked arm binary and checks it against a GOARM float suffix.
func TestARMFloat(t *testing.T) {
	t.Parallel()
	r := read(t, bin(t, "arm7-cgo-static"))
	if r.ARMFloat != "hard" || r.Arch != "arm" || r.Variant != "7" || !r.Static {
		t.Fatalf("ARMFloat, Arch, Variant, Static = %q, %q, %q, %v, want hard, arm, 7, true", r.ARMFloat, r.Arch, r.Variant, r.Static)
	}
	want := Expect{Platform: matrix.MustParse("linux/arm/7"), Static: true, Cgo: ptr(true)}
	if err := Check(r, want); err != nil {
		t.Fatalf("Check = %v", err)
	}
	// The same file claiming a soft-float GOARM is rejected.
	r.Settings["GOARM"] = "7,softfloat"
	if err := Check(r, want); err == nil || !strings.Contains(err.Error(), "ARM float ABI: file has hard-float ELF flags, want GOARM 7,softfloat") {
		t.Fatalf("Check(hard-float file, GOARM=7,softfloat) = %v, want a float ABI mismatch", err)
	}
	// Pure Go arm binaries carry no float flags.
	if r := read(t, bin(t, "linux-arm7")); r.ARMFloat != "" {
		t.Errorf("internal linker ARMFloat = %q, want empty", r.ARMFloat)
	}
}

func TestCheckNoBuildInfo(t *testing.T) {
	r := &Report{Format: "elf", OS: "linux", Arch: "amd64"}
	err := Check(r, Expect{Platform: matrix.MustParse("linux/amd64")})
	if err == nil || !strings.Contains(err.Error(), "Go build info: file has none") {
		t.Fatalf("Check without build info = %v, want a complaint", err)
	}
	if err := Check(nil, Expect{}); err == nil {
		t.Fatal("Check(nil) = nil")
	}
}
