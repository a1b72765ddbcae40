package winres_test

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/winres"
	"github.com/kiln-build/kiln/verify"
)

var tmpRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "winres-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// exes are small Go programs built once per test binary, by GOARCH.
var exes struct {
	sync.Mutex
	paths map[string]string
}

// exe returns the windows/arch build of a hello program (PE32+ for amd64
// and arm64, PE32 for 386).
func exe(t testing.TB, arch string) string {
	t.Helper()
	exes.Lock()
	defer exes.Unlock()
	if p, ok := exes.paths[arch]; ok {
		return p
	}
	src := filepath.Join(tmpRoot, "src")
	err := testtool.WriteFiles(src, map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
	})
	out := filepath.Join(tmpRoot, "hello-"+arch+".exe")
	if err == nil {
		err = testtool.GoBuild(src, out, []string{"GOOS=windows", "GOARCH=" + arch, "CGO_ENABLED=0"}, "-trimpath", "-ldflags=-s -w", ".")
	}
	if err != nil {
		t.Fatal(err)
	}
	if exes.paths == nil {
		exes.paths = map[string]string{}
	}
	exes.paths[arch] = out
	return out
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var opts = winres.Options{
	Version:          "v1.2.3-rc.1",
	ProductName:      "Hello",
	CompanyName:      "Example Ltd",
	LegalCopyright:   "© 2025 Example Ltd",
	OriginalFilename: "hello.exe",
}

// TestPatch: a patched Go executable (PE32+ and PE32) carries the
// VERSIONINFO and manifest, read back by verify's own parser and located
// by debug/pe; go version -m still reads it; the output is the same bytes
// every time, and patching it again changes nothing.
func TestPatch(t *testing.T) {
	for _, arch := range []string{"amd64", "386", "arm64"} {
		t.Run(arch, func(t *testing.T) {
			t.Parallel()
			in := read(t, exe(t, arch))
			var a, b bytes.Buffer
			if err := winres.Patch(&a, in, opts); err != nil {
				t.Fatal(err)
			}
			if err := winres.Patch(&b, in, opts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two patches of the same input differ")
			}
			path := filepath.Join(t.TempDir(), "hello.exe")
			if err := os.WriteFile(path, in, 0o755); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second patch finds its own resources: unchanged
				if err := winres.PatchFile(path, opts); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(read(t, path), a.Bytes()) {
					t.Fatal("PatchFile differs from Patch")
				}
			}
			if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o755 {
				t.Errorf("mode %v after PatchFile, want 0755", fi.Mode())
			}
			if names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*")); len(names) != 1 {
				t.Errorf("PatchFile left %q", names)
			}

			f, err := pe.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if s := f.Section(".rsrc"); s == nil || s != f.Sections[len(f.Sections)-1] {
				t.Errorf("no .rsrc section last")
			}

			rep, err := verify.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res := rep.Resources
			if res == nil || res.Version == nil || res.Problem != "" {
				t.Fatalf("verify read resources %+v", res)
			}
			v := res.Version
			wantStrings := map[string]string{
				"CompanyName": "Example Ltd", "FileDescription": "Hello", "FileVersion": "1.2.3-rc.1", "InternalName": "hello",
				"LegalCopyright": "© 2025 Example Ltd", "OriginalFilename": "hello.exe", "ProductName": "Hello", "ProductVersion": "1.2.3-rc.1",
			}
			if v.FileVersion != "1.2.3.0" || v.ProductVersion != "1.2.3.0" || v.Flags != 0x2 || fmt.Sprint(v.Strings) != fmt.Sprint(wantStrings) {
				t.Errorf("VERSIONINFO = %+v\nwant 1.2.3.0, pre-release, %v", v, wantStrings)
			}
			for _, want := range []string{`level="asInvoker"`, "<longPathAware", ">UTF-8</activeCodePage>", "{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"} {
				if !strings.Contains(res.Manifest, want) {
					t.Errorf("manifest lacks %s:\n%s", want, res.Manifest)
				}
			}
			if err := verify.Check(rep, verify.Expect{Platform: matrix.Platform{OS: "windows", Arch: arch}, Static: true, VersionInfo: opts.Version, Manifest: true}); err != nil {
				t.Errorf("verify.Check: %v", err)
			}
			out, err := exec.Command("go", "version", "-m", path).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "path\texample.com/hello") {
				t.Errorf("go version -m after patching: %v\n%s", err, out)
			}
		})
	}
}

// sysoExe returns a Go executable linked with a .syso holding a
// VERSIONINFO that windres compiled: resources Patch must not touch.
func sysoExe(t *testing.T) []byte {
	windres := testtool.Need(t, "x86_64-w64-mingw32-windres")[0]
	dir := t.TempDir()
	err := testtool.WriteFiles(dir, map[string]string{
		"go.mod":  "module example.com/syso\n\ngo 1.26\n",
		"main.go": "package main\n\nfunc main() {}\n",
		"app.rc":  "1 VERSIONINFO\nFILEVERSION 9,8,7,6\nBEGIN\nEND\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(windres, "-O", "coff", "-o", filepath.Join(dir, "rsrc_windows_amd64.syso"), filepath.Join(dir, "app.rc")).CombinedOutput(); err != nil {
		t.Fatalf("windres: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "syso.exe")
	if err := testtool.GoBuild(dir, out, []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}, "."); err != nil {
		t.Fatal(err)
	}
	return read(t, out)
}

// TestManifestOptions: the manifest follows its options, and Off leaves it
// out.
func TestManifestOptions(t *testing.T) {
	in := read(t, exe(t, "amd64"))
	tests := []struct {
		name       string
		m          winres.Manifest
		has, hasNo []string
	}{
		{"admin, legacy", winres.Manifest{ExecutionLevel: "requireAdministrator", LegacyPaths: true, LegacyCodePage: true},
			[]string{`level="requireAdministrator"`}, []string{"longPathAware", "activeCodePage", "windowsSettings"}},
		{"own XML", winres.Manifest{XML: `<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0"><!-- mine --></assembly>`},
			[]string{"<!-- mine -->"}, []string{"trustInfo"}},
		{"off", winres.Manifest{Off: true}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := opts
			o.Manifest = tt.m
			var buf bytes.Buffer
			if err := winres.Patch(&buf, in, o); err != nil {
				t.Fatal(err)
			}
			rep, err := verify.Read(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			got := rep.Resources.Manifest
			if tt.m.Off != (got == "") {
				t.Fatalf("manifest %q with Off %v", got, tt.m.Off)
			}
			for _, s := range tt.has {
				if !strings.Contains(got, s) {
					t.Errorf("manifest lacks %s:\n%s", s, got)
				}
			}
			for _, s := range tt.hasNo {
				if strings.Contains(got, s) {
					t.Errorf("manifest has %s:\n%s", s, got)
				}
			}
			err = verify.Check(rep, verify.Expect{Platform: matrix.MustParse("windows/amd64"), Manifest: true})
			if tt.m.Off != (err != nil) || tt.m.Off && !strings.Contains(err.Error(), "application manifest: file has none, want present") {
				t.Errorf("Check with Manifest required: %v", err)
			}
		})
	}
}

// TestBadOptions: every bad option is reported at once, by name.
func TestBadOptions(t *testing.T) {
	o := winres.Options{Version: "v1.70000.0", CompanyName: "A\x00B",
		Manifest: winres.Manifest{ExecutionLevel: "root", XML: "<assembly>", LegacyPaths: true}}
	err := o.Validate()
	if err == nil {
		t.Fatal("Validate accepted bad options")
	}
	for _, want := range []string{
		`Version "v1.70000.0": 70000 is over 65535`, "ProductName is required", "OriginalFilename is required",
		`CompanyName "A\x00B": contains a NUL character`, `Manifest.ExecutionLevel "root": want asInvoker, highestAvailable, requireAdministrator`,
		"Manifest.XML \"(set)\": is the whole manifest",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error does not say %q:\n%v", want, err)
		}
	}
	var fe *winres.FieldError
	if !errors.As(err, &fe) {
		t.Errorf("%T holds no *FieldError", err)
	}
	for _, v := range []string{"1.2", "v1.2.3.4", "x.y.z", "1.02.3", "1.2.3-", ""} {
		if _, err := winres.ParseVersion(v); err == nil {
			t.Errorf("ParseVersion(%q) accepted it", v)
		}
	}
	o = opts
	o.Manifest.XML = "<assembly><unclosed></assembly>"
	if err := o.Validate(); err == nil || !strings.Contains(err.Error(), "not well-formed XML") {
		t.Errorf("Validate(bad XML) = %v", err)
	}
}

// TestBadExecutables: inputs Patch must refuse, each with its reason, and
// PatchFile leaves the file as it was.
func TestBadExecutables(t *testing.T) {
	in := read(t, exe(t, "amd64"))
	var patched bytes.Buffer
	if err := winres.Patch(&patched, in, opts); err != nil {
		t.Fatal(err)
	}
	other := opts
	other.Version = "v2.0.0"
	f, err := pe.NewFile(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	peOff := int(binary.LittleEndian.Uint32(in[0x3c:]))
	opt := peOff + 24
	signed := bytes.Clone(in)
	binary.LittleEndian.PutUint32(signed[opt+112+8*4:], 0x1000) // a certificate table
	binary.LittleEndian.PutUint32(signed[opt+112+8*4+4:], 0x10)
	full := bytes.Clone(in) // headers end right after the section table
	binary.LittleEndian.PutUint32(full[opt+60:], uint32(opt+int(f.SizeOfOptionalHeader)+40*len(f.Sections)))

	tests := []struct {
		name string
		data []byte
		o    winres.Options
		want string
		is   error
	}{
		{"ELF", []byte("\x7fELF\x02\x01\x01" + strings.Repeat("\x00", 100)), opts, "not a PE image kiln can patch: no MZ header", nil},
		{"truncated", in[:300], opts, "not a PE image kiln can patch", nil},
		{"signed", signed, opts, "Authenticode-signed: add resources before signing", winres.ErrSigned},
		{"resources from a .syso", sysoExe(t), opts, "already has resources (from a .syso file linked into it?)", winres.ErrHasResources},
		{"patched with other options", patched.Bytes(), other, "already has resources", winres.ErrHasResources},
		{"no room for a section header", full, opts, "no room for another section header", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "app.exe")
			if err := os.WriteFile(path, tt.data, 0o755); err != nil {
				t.Fatal(err)
			}
			err := winres.PatchFile(path, tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("PatchFile = %v, want an error naming the file and saying %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			if fe := (*winres.FileError)(nil); !errors.As(err, &fe) || fe.Path != path {
				t.Errorf("error %v is not a *FileError for %s", err, path)
			}
			if !bytes.Equal(read(t, path), tt.data) {
				t.Error("PatchFile changed the file it refused")
			}
		})
	}
}

// TestChecksum: a mingw-linked executable carries a PE checksum, which
// the patch recomputes; GNU ld's own value for the patched layout is the
// reference (its checksum of an unpatched file equals Windows').
func TestChecksum(t *testing.T) {
	gcc := testtool.Need(t, "x86_64-w64-mingw32-gcc")[0]
	dir := t.TempDir()
	if err := testtool.WriteFiles(dir, map[string]string{"hello.c": "int main(void) { return 3; }\n"}); err != nil {
		t.Fatal(err)
	}
	c := filepath.Join(dir, "hello.exe")
	if out, err := exec.Command(gcc, "-o", c, "-s", filepath.Join(dir, "hello.c")).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	in := read(t, c)
	at := int(binary.LittleEndian.Uint32(in[0x3c:])) + 24 + 64
	stored := binary.LittleEndian.Uint32(in[at:])
	if stored == 0 {
		t.Fatal("mingw wrote no checksum")
	}
	if got := winres.ChecksumForTest(in, at); got != stored {
		t.Fatalf("checksum of the linked file = %#x, ld wrote %#x", got, stored)
	}
	var out bytes.Buffer
	if err := winres.Patch(&out, in, opts); err != nil {
		t.Fatal(err)
	}
	p := out.Bytes()
	if got, want := binary.LittleEndian.Uint32(p[at:]), winres.ChecksumForTest(p, at); got != want || got == stored {
		t.Errorf("patched checksum %#x, want %#x (the unpatched one was %#x)", got, want, stored)
	}
}

// FuzzPatch: hostile executables never panic; what Patch accepts parses
// with debug/pe and verify reads its VERSIONINFO back.
//
//	go test -run='^$' -fuzz=FuzzPatch -fuzztime=20s ./pack/winres
func FuzzPatch(f *testing.F) {
	f.Add([]byte("MZ"))
	if fl := flag.Lookup("test.fuzzworker"); fl == nil || fl.Value.String() != "true" {
		in := read(f, exe(f, "amd64"))
		f.Add(in[:4096])
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		if err := winres.Patch(&out, data, opts); err != nil {
			return
		}
		rep, err := verify.Read(bytes.NewReader(out.Bytes()))
		if err != nil {
			if _, perr := pe.NewFile(bytes.NewReader(data)); perr == nil {
				t.Fatalf("the input parsed but the patched file does not: %v", err)
			}
			return
		}
		if rep.Resources == nil || rep.Resources.Version == nil || rep.Resources.Version.FileVersion != "1.2.3.0" {
			t.Fatalf("patched file's resources read back as %+v", rep.Resources)
		}
	})
}
