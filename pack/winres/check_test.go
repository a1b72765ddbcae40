package winres_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/winres"
)

// TestSettingsCheck: every bad setting is reported once, naming kiln's
// setting behind the field (not the VERSIONINFO field), for every binary;
// good settings report nothing, and Resources is left to the caller.
func TestSettingsCheck(t *testing.T) {
	good := winres.Settings{Company: "Example Ltd", Copyright: "(c) 2026 Example Ltd", Resources: "maybe"}
	if got := good.Check("v1.2.3", "kiln", []string{"tool", "other"}); got != nil {
		t.Errorf("Check(good settings) = %q, want nothing", got)
	}
	bad := winres.Settings{Company: "Bad\x00Ltd", Manifest: winres.Manifest{ExecutionLevel: "root"}}
	got := bad.Check("v1.2.3", "kiln", []string{"tool", "other"})
	want := []string{
		`Config.Windows.Company "Bad\x00Ltd": contains a NUL character`,
		`Config.Windows.Manifest.ExecutionLevel "root": want asInvoker, highestAvailable, requireAdministrator`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("Check(bad settings) =\n%q\nwant (once for both binaries)\n%q", got, want)
	}
	tests := []struct {
		name, version, product string
		binaries               []string
		s                      winres.Settings
		want                   string
	}{
		{"a version Windows cannot hold", "v70000.0.0", "kiln", []string{"tool"}, winres.Settings{},
			`the release version v70000.0.0 (its git tag, KILN_VERSION or Config.Version; or Config.Windows.Resources = "off") "v70000.0.0": 70000 is over 65535`},
		{"no project", "v1.2.3", "", []string{"tool"}, winres.Settings{}, "Config.Project is required"},
		{"a binary name with a NUL", "v1.2.3", "kiln", []string{"to\x00ol"}, winres.Settings{},
			`the binary name "to\x00ol" "to\x00ol.exe": contains a NUL character`},
		{"a description with a NUL", "v1.2.3", "kiln", []string{"tool"}, winres.Settings{Description: "a\x00b"},
			`Config.Windows.Description "a\x00b": contains a NUL character`},
		{"a whole manifest and its options", "v1.2.3", "kiln", []string{"tool"},
			winres.Settings{Manifest: winres.Manifest{XML: "<assembly/>", LegacyPaths: true}}, `Config.Windows.Manifest.XML "(set)": is the whole manifest`},
		{"strings over 64 KiB", "v1.2.3", "kiln", []string{"tool"}, winres.Settings{Copyright: strings.Repeat("c", 40000)},
			"Config.Windows make a VERSIONINFO over 64 KiB: shorten the strings"},
	}
	for _, tt := range tests {
		got := tt.s.Check(tt.version, tt.product, tt.binaries)
		if !slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, tt.want) }) {
			t.Errorf("%s: Check = %q, want a line %q", tt.name, got, tt.want)
		}
	}
	if got := (winres.Settings{}).Check("1.2", "kiln", nil); got != nil {
		t.Errorf("Check for no windows binaries = %q, want nothing", got)
	}
}

// TestPatchBuilt: the build step patches the linked file; its errors do
// not name the temporary file, and resources of the program's own name
// the setting that keeps them.
func TestPatchBuilt(t *testing.T) {
	in := read(t, exe(t, "amd64"))
	var patched bytes.Buffer
	if err := winres.Patch(&patched, in, opts); err != nil {
		t.Fatal(err)
	}
	other := opts
	other.Version = "v2.0.0"
	tests := []struct {
		name string
		data []byte
		o    winres.Options
		want string // "" for success
	}{
		{"a linked executable", in, opts, ""},
		{"resources of its own", patched.Bytes(), other, `Windows resources: ` + winres.ErrHasResources.Error() + `; to keep the program's own, set Config.Windows.Resources = "off"`},
		{"not a PE image", []byte("\x7fELF\x02\x01\x01" + strings.Repeat("\x00", 100)), opts, "Windows resources: not a PE image kiln can patch: no MZ header"},
	}
	for _, tt := range tests {
		path := filepath.Join(t.TempDir(), "a.out")
		if err := os.WriteFile(path, tt.data, 0o755); err != nil {
			t.Fatal(err)
		}
		err := winres.PatchBuilt(path, tt.o)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: PatchBuilt = %v", tt.name, err)
		case tt.want == "" && bytes.Equal(read(t, path), tt.data):
			t.Errorf("%s: PatchBuilt left the file as it was", tt.name)
		case tt.want != "" && (err == nil || err.Error() != tt.want):
			t.Errorf("%s: PatchBuilt = %v\nwant %s", tt.name, err, tt.want)
		}
	}
	if err := winres.PatchBuilt(filepath.Join(t.TempDir(), "gone"), opts); err == nil || !strings.HasPrefix(err.Error(), "Windows resources: winres: ") {
		t.Errorf("PatchBuilt of a missing file = %v", err)
	}
}
