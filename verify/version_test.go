package verify

import (
	"strings"
	"testing"
)

func TestVersionIn(t *testing.T) {
	for _, tc := range []struct{ output, version, want string }{
		{"tool version v9.8.7\n", "v9.8.7", "v9.8.7"},
		{"tool 9.8.7", "v9.8.7", "9.8.7"},
		{"Version: 9.8.7 (commit abc)", "9.8.7", "9.8.7"},
		{"gosec version 9.8.7, built 2024", "v9.8.7", "9.8.7"},
		{"Task version: v3.98.7 (h1:abc)", "v3.98.7", "v3.98.7"},
		{"app V9.8.7.", "v9.8.7", "V9.8.7"},
		{"[9.8.7]", "v9.8.7", "9.8.7"},
		{"x 19.8.7 and 9.8.7", "v9.8.7", "9.8.7"},
		{"v1.2.3+dirty", "v1.2.3+dirty", "v1.2.3+dirty"},
		{"v0.0.0-20240506070809-0123456789ab", "v0.0.0-20240506070809-0123456789ab", "v0.0.0-20240506070809-0123456789ab"},
		// Not the release version.
		{"tool 19.8.7", "v9.8.7", ""},
		{"tool 9.8.70", "v9.8.7", ""},
		{"tool 9.8.7.1", "v9.8.7", ""},
		{"tool 9.8.7-rc.1", "v9.8.7", ""},
		{"Task v3.98.7+0123456789abcdef", "v3.98.7", "v3.98.7"},
		{"tool dev", "v9.8.7", ""},
		{"(devel)", "v9.8.7", ""},
		{"tool v9.8.6", "v9.8.7", ""},
		{"build9.8.7", "v9.8.7", ""},
		{"", "v9.8.7", ""},
		{"anything", "", ""},
	} {
		if got := VersionIn(tc.output, tc.version); got != tc.want {
			t.Errorf("VersionIn(%q, %q) = %q, want %q", tc.output, tc.version, got, tc.want)
		}
	}
}

func TestVersionArgs(t *testing.T) {
	for args, want := range map[string]bool{"--version": true, "-version": true, "version": true, "-v": true,
		"--help": false, "": false, "version --json": false, "-h": false} {
		if got := VersionArgs(strings.Fields(args)); got != want {
			t.Errorf("VersionArgs(%q) = %v, want %v", args, got, want)
		}
	}
}

// FuzzVersionIn: any output and version; what is found is in the output
// and is the version, with a v or not.
func FuzzVersionIn(f *testing.F) {
	f.Add("tool version v9.8.7\n", "v9.8.7")
	f.Add("9.8.70 9.8.7", "9.8.7")
	f.Add("vvv1", "v1")
	f.Fuzz(func(t *testing.T, output, version string) {
		got := VersionIn(output, version)
		if got == "" {
			return
		}
		plain := strings.TrimPrefix(strings.TrimSpace(version), "v")
		if !strings.Contains(output, got) || got != plain && got != "v"+plain && got != "V"+plain {
			t.Fatalf("VersionIn(%q, %q) = %q", output, version, got)
		}
	})
}
