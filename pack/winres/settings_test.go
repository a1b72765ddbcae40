package winres_test

import (
	"testing"

	"github.com/kiln-build/kiln/pack/winres"
)

func TestSettingsOptions(t *testing.T) {
	s := winres.Settings{Company: "Example Ltd", Copyright: "(c) 2026 Example Ltd", Manifest: winres.Manifest{ExecutionLevel: "requireAdministrator"}}
	got := s.Options("v1.2.3", "kiln", "tool")
	want := winres.Options{Version: "v1.2.3", ProductName: "kiln", FileDescription: "tool", CompanyName: "Example Ltd",
		LegalCopyright: "(c) 2026 Example Ltd", OriginalFilename: "tool.exe", Manifest: s.Manifest}
	if got != want {
		t.Errorf("Options = %+v, want %+v", got, want)
	}
	s.Description = "the tool"
	if got := s.Options("v1.2.3", "kiln", "tool"); got.FileDescription != "the tool" {
		t.Errorf("Options with a Description: FileDescription %q, want %q", got.FileDescription, "the tool")
	}
}

// TestKey: the key is stable (a changed key rebuilds every windows build
// of every project), and any changed option changes it.
func TestKey(t *testing.T) {
	o := winres.Options{Version: "v1.2.3", ProductName: "kiln", OriginalFilename: "tool.exe"}
	want := `kiln-winres-1 {"Version":"v1.2.3","ProductName":"kiln","FileDescription":"","CompanyName":"","LegalCopyright":"","OriginalFilename":"tool.exe","InternalName":"","Manifest":{"Off":false,"ExecutionLevel":"","LegacyPaths":false,"LegacyCodePage":false,"XML":""}}`
	if got := o.Key(); got != want {
		t.Errorf("Key = %s\nwant  %s", got, want)
	}
	seen := map[string]string{o.Key(): "base"}
	for name, change := range map[string]func(*winres.Options){
		"version":     func(o *winres.Options) { o.Version = "v1.2.4" },
		"company":     func(o *winres.Options) { o.CompanyName = "Other Ltd" },
		"manifest":    func(o *winres.Options) { o.Manifest.Off = true },
		"description": func(o *winres.Options) { o.FileDescription = "the tool" },
	} {
		c := o
		change(&c)
		if prev, ok := seen[c.Key()]; ok {
			t.Errorf("changing the %s gives the key of %s", name, prev)
		}
		seen[c.Key()] = name
	}
}
