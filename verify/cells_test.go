package verify

import "testing"

func TestSignatureText(t *testing.T) {
	adhoc := &CodeSignature{AdHoc: true, Pages: 212}
	for _, tt := range []struct {
		name string
		r    *Report
		want string
	}{
		{"nil", nil, ""},
		{"elf", &Report{Format: "elf"}, ""},
		{"unsigned", &Report{Format: "macho"}, "unsigned"},
		{"ad-hoc", &Report{Format: "macho", Signature: adhoc}, "ad-hoc signed, 212 pages"},
		{"certificate", &Report{Format: "macho", Signature: &CodeSignature{Pages: 3}}, "signed, 3 pages"},
		{"broken", &Report{Format: "macho", Signature: &CodeSignature{AdHoc: true, Pages: 3, Problem: "page 2 changed"}}, "signature broken"},
		{"universal", &Report{Format: "macho-universal", Slices: []*Report{{Arch: "amd64"}, {Arch: "arm64", Signature: adhoc}}},
			"amd64 unsigned; arm64 ad-hoc signed, 212 pages"},
	} {
		if got := tt.r.SignatureText(); got != tt.want {
			t.Errorf("%s: SignatureText() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestResourcesText(t *testing.T) {
	v := &VersionInfo{FileVersion: "1.2.3.0"}
	for _, tt := range []struct {
		name string
		r    *Report
		want string
	}{
		{"nil", nil, ""},
		{"macho", &Report{Format: "macho"}, ""},
		{"none", &Report{Format: "pe"}, "no VERSIONINFO, no manifest"},
		{"both", &Report{Format: "pe", Resources: &Resources{Version: v, Manifest: "<assembly/>"}}, "VERSIONINFO 1.2.3.0, manifest"},
		{"version only", &Report{Format: "pe", Resources: &Resources{Version: v}}, "VERSIONINFO 1.2.3.0, no manifest"},
		{"damaged", &Report{Format: "pe", Resources: &Resources{Manifest: "<assembly/>", Problem: "bad directory"}}, "no VERSIONINFO, manifest, damaged"},
	} {
		if got := tt.r.ResourcesText(); got != tt.want {
			t.Errorf("%s: ResourcesText() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
