package release

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/verify"
)

// windowsSettings are a project's Windows resource settings, with runs off.
func windowsSettings() Settings {
	return Settings{
		Windows: WindowsSettings{Company: "Example Ltd", Copyright: "(c) 2026 Example Ltd", Description: "the tool"},
		Verify:  VerifySettings{NoRun: true}, Package: PackageSettings{NoImage: true},
	}
}

// TestWindowsResources: every windows build gets a VERSIONINFO carrying
// the release version and the configured strings, and a manifest, read
// back from its resource section; a second crossall builds nothing; a
// changed setting rebuilds the windows builds only; verify shows the
// resources, and fails a binary built without them while the plan wants
// them.
func TestWindowsResources(t *testing.T) {
	dir := testModule(t)
	s := windowsSettings()
	env := []string{"KILN_MATRIX=linux/amd64,windows/amd64,windows/386,windows/arm64", "KILN_VERSION=1.2.3-rc.1"}
	mustRunS(t, dir, s, env, (*Plan).Build)
	dist := filepath.Join(dir, "dist")
	for _, arch := range []string{"amd64", "386", "arm64"} {
		exe := filepath.Join(dist, "tool_windows_"+arch, "tool.exe")
		rep, err := verify.ReadFile(exe)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Resources == nil || rep.Resources.Version == nil {
			t.Fatalf("windows/%s: no VERSIONINFO in the resource section: %+v", arch, rep.Resources)
		}
		v := rep.Resources.Version
		want := map[string]string{"FileVersion": "1.2.3-rc.1", "ProductVersion": "1.2.3-rc.1", "ProductName": "tool",
			"FileDescription": "the tool", "CompanyName": "Example Ltd", "LegalCopyright": "(c) 2026 Example Ltd",
			"OriginalFilename": "tool.exe", "InternalName": "tool"}
		for k, w := range want {
			if v.Strings[k] != w {
				t.Errorf("windows/%s: VERSIONINFO string %s = %q, want %q", arch, k, v.Strings[k], w)
			}
		}
		if v.FileVersion != "1.2.3.0" || v.ProductVersion != "1.2.3.0" {
			t.Errorf("windows/%s: fixed versions %s, %s; want 1.2.3.0", arch, v.FileVersion, v.ProductVersion)
		}
		if m := rep.Resources.Manifest; !strings.Contains(m, "asInvoker") || !strings.Contains(m, "longPathAware") {
			t.Errorf("windows/%s: manifest %q, want kiln's default", arch, m)
		}
	}

	before := modTimes(t, dist)
	out := mustRunS(t, dir, s, env, (*Plan).Build)
	if !strings.Contains(out, "4 build(s): 0 built, 4 up to date") {
		t.Errorf("a second crossall rebuilt something:\n%s", out)
	}
	for path, mt := range modTimes(t, dist) {
		if strings.HasSuffix(path, ".exe") && !before[path].Equal(mt) {
			t.Errorf("a second crossall rewrote %s", path)
		}
	}
	s.Windows.Company = "Other Ltd"
	out = mustRunS(t, dir, s, env, (*Plan).Build)
	if !strings.Contains(out, "4 build(s): 3 built, 1 up to date") {
		t.Errorf("a changed Windows.Company did not rebuild exactly the windows builds:\n%s", out)
	}
	out = mustRunS(t, dir, s, env, (*Plan).Verify)
	if !strings.Contains(out, "VERSIONINFO 1.2.3.0, manifest") {
		t.Errorf("the verify table does not show the resources:\n%s", out)
	}

	off := s
	off.Windows.Resources = "off"
	mustRunS(t, dir, off, env, (*Plan).Build)
	if rep, err := verify.ReadFile(filepath.Join(dist, "tool_windows_amd64", "tool.exe")); err != nil || rep.Resources != nil {
		t.Errorf("Resources off: resources %+v (%v), want none", rep.Resources, err)
	}
	mustRunS(t, dir, off, env, (*Plan).Verify)
	out, err := runS(t, dir, s, env, (*Plan).Verify)
	if err == nil || !strings.Contains(err.Error(), "no VERSIONINFO resource") || !strings.Contains(err.Error(), "application manifest: file has none") {
		t.Errorf("verify of binaries without resources while the plan wants them = %v, want the VERSIONINFO and the manifest named\n%s", err, out)
	}
}

// TestWindowsOwnResources: a program that links its own resources (a
// .syso file) fails its windows build with the way out, the off setting,
// named; with Resources "off" it builds.
func TestWindowsOwnResources(t *testing.T) {
	dir := testModule(t)
	if err := os.WriteFile(filepath.Join(dir, "rsrc_windows_amd64.syso"), emptyResourceObject(), 0o644); err != nil {
		t.Fatal(err)
	}
	s := windowsSettings()
	env := []string{"KILN_MATRIX=linux/amd64,windows/amd64", "KILN_VERSION=1.2.3"}
	out, err := runS(t, dir, s, env, (*Plan).Build)
	if err == nil || !strings.Contains(err.Error(), "windows/amd64") || !strings.Contains(err.Error(), "already has resources") ||
		!strings.Contains(err.Error(), `Config.Windows.Resources = "off"`) {
		t.Fatalf("build of a program with its own resources = %v, want a failure naming the off setting\n%s", err, out)
	}
	s.Windows.Resources = "off"
	mustRunS(t, dir, s, env, (*Plan).Build)
}

// emptyResourceObject is a COFF object (a .syso file) for amd64 holding
// one .rsrc section with an empty resource directory, as resource
// compilers write them (with entries): the linker makes it the PE's
// resource section.
func emptyResourceObject() []byte {
	le := binary.LittleEndian
	const hdr, sec, data = 20, 40, 16
	b := make([]byte, hdr+sec+data+4)
	le.PutUint16(b[0:], 0x8664)          // Machine: AMD64
	le.PutUint16(b[2:], 1)               // NumberOfSections
	le.PutUint32(b[8:], hdr+sec+data)    // PointerToSymbolTable (no symbols; the string table follows)
	copy(b[hdr:], ".rsrc")               // section name
	le.PutUint32(b[hdr+16:], data)       // SizeOfRawData
	le.PutUint32(b[hdr+20:], hdr+sec)    // PointerToRawData
	le.PutUint32(b[hdr+36:], 0x40000040) // initialized data, readable
	le.PutUint32(b[hdr+sec+data:], 4)    // string table size
	return b
}

// TestWindowsSettingsRefused: bad Windows, universal and wine settings are
// all reported at once, each naming its setting or variable.
func TestWindowsSettingsRefused(t *testing.T) {
	dir := testModule(t)
	s := windowsSettings()
	s.Windows.Company = "Bad\x00Ltd"
	s.Windows.Manifest.ExecutionLevel = "root"
	env := []string{"KILN_MATRIX=windows/amd64", "KILN_VERSION=1.2.3"}
	_, err := runS(t, dir, s, env, (*Plan).Build)
	for _, want := range []string{"Config.Windows.Company", "NUL", "Config.Windows.Manifest.ExecutionLevel", `"root"`, "asInvoker"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad Windows settings: %v, want %q named", err, want)
		}
	}
	_, err = runS(t, dir, windowsSettings(), []string{"KILN_MATRIX=windows/amd64", "KILN_VERSION=70000.0.0"}, (*Plan).Build)
	if err == nil || !strings.Contains(err.Error(), "release version v70000.0.0") || !strings.Contains(err.Error(), `Resources = "off"`) {
		t.Errorf("a version Windows cannot hold: %v, want the version and the off setting named", err)
	}
	bad := windowsSettings()
	bad.Windows.Resources = "maybe"
	if _, err := runS(t, dir, bad, env, (*Plan).Build); err == nil || !strings.Contains(err.Error(), `Config.Windows.Resources "maybe"`) {
		t.Errorf("Resources maybe: %v", err)
	}
	_, err = runS(t, dir, windowsSettings(), append(env, "KILN_WINE=sometimes", "KILN_UNIVERSAL=both", "KILN_WINEPREFIX=wine"), (*Plan).Build)
	for _, want := range []string{`KILN_WINE/Config.Verify.Windows "sometimes"`, `KILN_UNIVERSAL/Config.Universal "both"`, `KILN_WINEPREFIX/Config.Verify.WinePrefix "wine"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("bad environment: %v, want %q", err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "dist")); err == nil {
		t.Errorf("a refused configuration created dist/")
	}
}
