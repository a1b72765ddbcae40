package archive

import (
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

func TestNameExt(t *testing.T) {
	for _, tc := range []struct {
		name, version, platform string
		want, ext               string
	}{
		{"kiln", "v1.2.3", "linux/amd64", "kiln_1.2.3_linux_amd64", ".tar.gz"},
		{"kiln", "1.2.3", "linux/arm/7", "kiln_1.2.3_linux_arm_7", ".tar.gz"},
		{"kiln", "v0.0.0-dev", "linux/amd64/v3", "kiln_0.0.0-dev_linux_amd64_v3", ".tar.gz"},
		{"kiln", "v1.0.0-rc.1+meta", "darwin/arm64", "kiln_1.0.0-rc.1+meta_darwin_arm64", ".tar.gz"},
		{"kiln", "v2", "windows/amd64", "kiln_2_windows_amd64", ".zip"},
		{"kiln", "1.2.3", "windows/arm64", "kiln_1.2.3_windows_arm64", ".zip"},
		{"kiln", "1.2.3", "windows/386/sse2", "kiln_1.2.3_windows_386_sse2", ".zip"},
		{"kiln", "vnext", "linux/arm64", "kiln_vnext_linux_arm64", ".tar.gz"}, // "v" kept: not a version number
		{"kiln", "v", "linux/arm64", "kiln_v_linux_arm64", ".tar.gz"},
		{"kiln", "", "freebsd/riscv64", "kiln_freebsd_riscv64", ".tar.gz"},
	} {
		p := matrix.MustParse(tc.platform)
		if got := Name(tc.name, tc.version, p); got != tc.want {
			t.Errorf("Name(%q, %q, %s) = %q, want %q", tc.name, tc.version, p, got, tc.want)
		}
		if got := Ext(p); got != tc.ext {
			t.Errorf("Ext(%s) = %q, want %q", p, got, tc.ext)
		}
	}
}
