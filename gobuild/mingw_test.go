package gobuild_test

import (
	"context"
	"debug/pe"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/verify"
)

// cgoModule is a tiny module whose main package calls C.
var cgoModule = map[string]string{
	"go.mod": "module example.com/cgoapp\n\ngo 1.24\n",
	"main.go": `package main

// static int answer(void) { return 42; }
import "C"

import "fmt"

func main() { fmt.Println("answer", C.answer()) }
`,
}

// winSpec is a Spec building the module in dir for p.
func winSpec(dir, out string, p matrix.Platform, name string) gobuild.Spec {
	return gobuild.Spec{Dir: dir, Main: ".", Name: name, Platform: p, Stamp: testStamp,
		Out: filepath.Join(out, name+"_"+p.Slug(), name+p.Exe())}
}

// TestMingwSQLite: a real cgo program (github.com/mattn/go-sqlite3 from
// the module proxy) builds for windows/amd64 with Debian's mingw-w64,
// statically: its import table lists only Windows system DLLs.
func TestMingwSQLite(t *testing.T) {
	testtool.Need(t, "x86_64-w64-mingw32-gcc")
	dir := t.TempDir()
	if err := testtool.WriteFiles(dir, testtool.SQLiteModule); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := newEngine(t).Build(context.Background(), winSpec(dir, t.TempDir(), matrix.MustParse("windows/amd64"), "sqlitecli"))
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	t.Logf("windows/amd64 go-sqlite3 build: %v", time.Since(start).Round(time.Millisecond))
	if !r.Cgo || r.CC != "x86_64-w64-mingw32-gcc" || !r.Static || !slices.Contains(r.CgoPackages, "github.com/mattn/go-sqlite3") {
		t.Errorf("Cgo %v, CC %q, Static %v, CgoPackages %q; want a static mingw cgo build of go-sqlite3", r.Cgo, r.CC, r.Static, r.CgoPackages)
	}
	rep, err := verify.ReadFile(r.Spec.Out)
	if err != nil {
		t.Fatal(err)
	}
	if err := verify.Check(rep, verify.Expect{Platform: r.Spec.Platform, Static: true, Cgo: &r.Cgo}); err != nil {
		t.Errorf("verify: %v", err)
	}
	for _, dll := range rep.Needed {
		if d := strings.ToLower(dll); d != "kernel32.dll" && d != "msvcrt.dll" {
			t.Errorf("imports %s; a static mingw link imports only KERNEL32.dll and msvcrt.dll", dll)
		}
	}
}

// TestMingw386: windows/386 cgo uses Debian's i686 mingw-w64.
func TestMingw386(t *testing.T) {
	testtool.Need(t, "i686-w64-mingw32-gcc")
	dir := t.TempDir()
	if err := testtool.WriteFiles(dir, cgoModule); err != nil {
		t.Fatal(err)
	}
	r := newEngine(t).Build(context.Background(), winSpec(dir, t.TempDir(), matrix.MustParse("windows/386"), "cgoapp"))
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	if !r.Cgo || r.CC != "i686-w64-mingw32-gcc" || !r.Static {
		t.Errorf("Cgo %v, CC %q, Static %v; want a static i686 mingw build", r.Cgo, r.CC, r.Static)
	}
	f, err := pe.Open(r.Spec.Out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_I386 {
		t.Errorf("machine %#x, want i386", f.Machine)
	}
	rep, err := verify.ReadFile(r.Spec.Out)
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.StaticError(); err != nil {
		t.Error(err)
	}
}

// TestWindowsToolchainErrors: windows/arm64 cgo has no Debian toolchain,
// said plainly; a missing mingw names its Debian package.
func TestWindowsToolchainErrors(t *testing.T) {
	dir := t.TempDir()
	if err := testtool.WriteFiles(dir, cgoModule); err != nil {
		t.Fatal(err)
	}
	e := newEngine(t, gobuild.WithEnv(envWithPath(t, "go")))
	tests := []struct {
		platform string
		cc       string
		want     []string
	}{
		{"windows/arm64", "", []string{"windows/arm64", "Debian has no C toolchain for windows/arm64", "set Cgo \"off\"", "example.com/cgoapp"}},
		{"windows/amd64", "x86_64-w64-mingw32-gcc", []string{"x86_64-w64-mingw32-gcc is not installed: apt-get install gcc-mingw-w64-x86-64"}},
		{"windows/386", "i686-w64-mingw32-gcc", []string{"apt-get install gcc-mingw-w64-i686"}},
	}
	for _, tt := range tests {
		t.Run(tt.platform, func(t *testing.T) {
			r := e.Build(context.Background(), winSpec(dir, t.TempDir(), matrix.MustParse(tt.platform), "cgoapp"))
			var te *gobuild.ToolchainError
			if !errors.As(r.Err, &te) || te.CC != tt.cc {
				t.Fatalf("%v; want a *ToolchainError for CC %q", r.Err, tt.cc)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.Err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, r.Err)
				}
			}
		})
	}
}
