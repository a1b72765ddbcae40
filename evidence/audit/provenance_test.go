package audit

import (
	"strings"
	"testing"

	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/matrix"
)

func TestSubjectDiff(t *testing.T) {
	a := provenance.Subject{Name: "a.tar.gz", SHA256: strings.Repeat("a", 64)}
	b := provenance.Subject{Name: "b.zip", SHA256: strings.Repeat("b", 64)}
	b2 := provenance.Subject{Name: "b.zip", SHA256: strings.Repeat("c", 64)}
	tests := []struct {
		subjects, lines []provenance.Subject
		want            string
	}{
		{[]provenance.Subject{b, a}, []provenance.Subject{a, b}, ""},
		{[]provenance.Subject{a}, []provenance.Subject{a, b}, "subject b.zip is missing"},
		{[]provenance.Subject{a, b}, []provenance.Subject{a}, "lists b.zip, which the checksums file does not"},
		{[]provenance.Subject{a, b2}, []provenance.Subject{a, b}, "b.zip has sha256 cccc"},
	}
	for _, tt := range tests {
		if got := subjectDiff(tt.subjects, tt.lines); tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("subjectDiff(%v, %v) = %q, want %q", tt.subjects, tt.lines, got, tt.want)
		}
	}
}

func TestNormalizeRepo(t *testing.T) {
	same := []string{"github.com/org/app", "https://github.com/org/app", "https://GitHub.com/org/app.git",
		"git+https://github.com/org/app@refs/tags/v1.2.3", "git@github.com:org/app.git", "ssh://git@github.com/org/app/",
		"git+ssh://github.com/org/app.git"}
	for _, s := range same {
		if got := NormalizeRepo(s); got != "github.com/org/app" {
			t.Errorf("NormalizeRepo(%q) = %q, want github.com/org/app", s, got)
		}
	}
	for _, s := range []string{"/src/app", "file:///src/app", "git+file:///src/app", "/src/app/"} {
		if got := NormalizeRepo(s); got != "/src/app" {
			t.Errorf("NormalizeRepo(%q) = %q, want /src/app", s, got)
		}
	}
	if NormalizeRepo("github.com/org/app2") == NormalizeRepo("github.com/org/app") {
		t.Error("two repositories normalize alike")
	}
}

func TestArchivePlatform(t *testing.T) {
	tests := []struct {
		name string
		want string // "" for none
	}{
		{"app_1.2.3_linux_amd64.tar.gz", "linux/amd64"},
		{"app_1.2.3_linux_arm_7.tar.gz", "linux/arm/7"},
		{"app_1.2.3_windows_arm64.zip", "windows/arm64"},
		{"app_1.2.3_linux_amd64_v3.tar.gz", "linux/amd64/v3"},
		{"app_1.2.3_linux.tar.gz", ""},
		{"app_1.2.3_linux_arm_9.tar.gz", ""},
		{"app_1.2.3_linux_amd64.rpm", ""},
		{"other_1.2.3_linux_amd64.tar.gz", ""},
		{"app_1.2.3_Linux_amd64.tar.gz", ""},
	}
	for _, tt := range tests {
		p, ok := ArchivePlatform("app_1.2.3", tt.name)
		if got := map[bool]string{true: p.String(), false: ""}[ok]; got != tt.want {
			t.Errorf("ArchivePlatform(%q) = %q, %v; want %q", tt.name, p, ok, tt.want)
		}
	}
	if got := SBOMName("app_1.2.3", matrix.Platform{OS: "linux", Arch: "arm", Variant: "7"}, "appd"); got != "app_1.2.3_linux_arm_7_appd.spdx.json" {
		t.Errorf("SBOMName = %q", got)
	}
}
