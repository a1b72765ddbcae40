package verify

import (
	"bytes"
	"debug/pe"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/winres"
)

// winresOptions are the resources the tests patch into windows builds.
var winresOptions = winres.Options{
	Version: "v1.2.3", ProductName: "Hello", CompanyName: "Example Ltd", OriginalFilename: "hello.exe",
}

// patchedExe returns a copy of the named windows build with the resources
// of o, written by pack/winres.
func patchedExe(t testing.TB, name string, o winres.Options) string {
	t.Helper()
	var out bytes.Buffer
	if err := winres.Patch(&out, mustRead(t, bin(t, name)), o); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hello.exe")
	if err := os.WriteFile(path, out.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVersionInfo: the VERSIONINFO is read from the resource section (not
// grepped from strings) and must carry the release version; a binary
// without one, or with another version, fails with every difference.
func TestVersionInfo(t *testing.T) {
	t.Parallel()
	patched := patchedExe(t, "win-amd64-s", winresOptions)
	old := winresOptions
	old.Version = "v1.2.0-rc.1"
	stale := patchedExe(t, "win-amd64-s", old)
	noManifest := winresOptions
	noManifest.Manifest.Off = true
	bare := patchedExe(t, "win-amd64-s", noManifest)

	tests := []struct {
		name     string
		path     string
		manifest bool
		errs     []string // substrings of Check's error; nil: passes
	}{
		{"patched", patched, true, nil},
		{"no resources", bin(t, "win-amd64-s"), false, []string{"does not carry the release version v1.2.3: no VERSIONINFO resource", "application manifest: file has none, want present"}},
		{"another version", stale, true, []string{
			"fixed file version 1.2.0.0, want 1.2.3.0", "fixed product version 1.2.0.0, want 1.2.3.0",
			`string FileVersion "1.2.0-rc.1", want "1.2.3"`, `string ProductVersion "1.2.0-rc.1", want "1.2.3"`}},
		{"no manifest", bare, false, []string{"application manifest: file has none, want present"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if tt.manifest != (r.Resources != nil && r.Resources.Manifest != "") {
				t.Errorf("Resources = %+v, want a manifest: %v", r.Resources, tt.manifest)
			}
			err = Check(r, Expect{Platform: matrix.MustParse("windows/amd64"), Static: true, VersionInfo: "v1.2.3", Manifest: true})
			if tt.errs == nil {
				if err != nil {
					t.Fatalf("Check = %v", err)
				}
				if v := r.Resources.Version; v.Strings["ProductName"] != "Hello" || v.Strings["CompanyName"] != "Example Ltd" {
					t.Errorf("strings %v", v.Strings)
				}
				return
			}
			if err == nil {
				t.Fatal("Check passed")
			}
			for _, want := range tt.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("Check error does not say %q:\n%v", want, err)
				}
			}
		})
	}
	var ve *VersionInfoError
	r, _ := ReadFile(bin(t, "win-amd64-s"))
	if err := r.VersionInfoError("v1.2"); !errors.As(err, &ve) || !strings.Contains(err.Error(), `release version "v1.2" is not MAJOR.MINOR.PATCH`) {
		t.Errorf("VersionInfoError(v1.2) = %v", err)
	}
	if r, _ := ReadFile(bin(t, "static")); r.VersionInfoError("v1.2.3") != nil {
		t.Error("an ELF file has a VERSIONINFO error")
	}
}

// TestVersionInfoFromWindres: the parser reads a VERSIONINFO that
// another toolchain wrote (windres, linked from a .syso by Go's linker).
func TestVersionInfoFromWindres(t *testing.T) {
	t.Parallel()
	windres := testtool.Need(t, "x86_64-w64-mingw32-windres")[0]
	dir := t.TempDir()
	err := testtool.WriteFiles(dir, map[string]string{
		"go.mod":  "module example.com/syso\n\ngo 1.24\n",
		"main.go": "package main\n\nfunc main() {}\n",
		"app.rc": `1 VERSIONINFO
FILEVERSION 9,8,7,6
PRODUCTVERSION 9,8,0,0
FILEFLAGSMASK 0x3f
FILEFLAGS 0x1
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904b0"
    BEGIN
      VALUE "CompanyName", "Windres Co"
      VALUE "FileVersion", "9.8.7-beta"
      VALUE "ProductName", "Ünïcödé ✓"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
1 24 "app.manifest"
`,
		"app.manifest": `<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0"/>`,
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(windres, "-c", "65001", "-O", "coff", "-o", "rsrc_windows_amd64.syso", "app.rc")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("windres: %v\n%s", err, out)
	}
	exe := filepath.Join(dir, "syso.exe")
	if err := testtool.GoBuild(dir, exe, []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}, "."); err != nil {
		t.Fatal(err)
	}
	r, err := ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Resources
	if res == nil || res.Version == nil || res.Problem != "" {
		t.Fatalf("Resources = %+v", res)
	}
	got := fmt.Sprintf("%s %s %#x %v", res.Version.FileVersion, res.Version.ProductVersion, res.Version.Flags, res.Version.Strings)
	want := "9.8.7.6 9.8.0.0 0x1 map[CompanyName:Windres Co FileVersion:9.8.7-beta ProductName:Ünïcödé ✓]"
	if got != want {
		t.Errorf("VERSIONINFO read as\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(res.Manifest, "urn:schemas-microsoft-com:asm.v1") {
		t.Errorf("manifest %q", res.Manifest)
	}
}

// FuzzVersionInfo: hostile version resources never panic the parser.
//
//	go test -run='^$' -fuzz=FuzzVersionInfo -fuzztime=20s ./verify
func FuzzVersionInfo(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte("\x06\x00\x00\x00\x00\x00"))
	f.Add([]byte("\xff\xff\x34\x00\x00\x00V\x00S\x00"))
	if !fuzzWorker() {
		f.Add(versionResource(f, patchedExe(f, "win-amd64-s", winresOptions)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parseVersionInfo(data)
		if err == nil && v == nil {
			t.Fatal("no VersionInfo and no error")
		}
	})
}

// versionResource returns the raw VERSIONINFO bytes of a PE file.
func versionResource(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := pe.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	oh := f.OptionalHeader.(*pe.OptionalHeader64)
	data, err := peImage{f}.resource(oh.DataDirectory[peDirResource].VirtualAddress, rtVersion)
	if err != nil || data == nil {
		tb.Fatalf("no VERSIONINFO: %v", err)
	}
	return data
}

// FuzzResources: hostile resource sections never panic the directory
// walker, which follows offsets and RVAs found in the data.
//
//	go test -run='^$' -fuzz=FuzzResources -fuzztime=20s ./verify
func FuzzResources(f *testing.F) {
	f.Add([]byte{}, uint32(0x1000))
	if !fuzzWorker() {
		pf, err := pe.Open(patchedExe(f, "win-amd64-s", winresOptions))
		if err != nil {
			f.Fatal(err)
		}
		s := pf.Section(".rsrc")
		data, err := s.Data()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, s.VirtualAddress)
		pf.Close()
	}
	f.Fuzz(func(t *testing.T, data []byte, va uint32) {
		sec := &pe.Section{SectionHeader: pe.SectionHeader{Name: ".rsrc", VirtualAddress: va,
			VirtualSize: uint32(len(data)), Size: uint32(len(data))}, ReaderAt: bytes.NewReader(data)}
		img := peImage{&pe.File{Sections: []*pe.Section{sec}}}
		for _, typ := range []uint32{rtVersion, rtManifest} {
			if b, err := img.resource(va, typ); err == nil && len(b) > maxResource {
				t.Fatalf("resource of %d bytes", len(b))
			}
		}
	})
}
