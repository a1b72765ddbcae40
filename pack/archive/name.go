package archive

import (
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// Name returns the archive's base name without extension:
// "<name>_<version>_<os>_<arch>[_<variant>]", e.g. "kiln_1.2.3_linux_arm_7".
//
// A leading "v" followed by a digit is dropped from version ("v1.2.3" →
// "1.2.3"), the common convention for release files; an empty version
// leaves its element out ("kiln_linux_amd64").
func Name(name, version string, p matrix.Platform) string {
	parts := []string{name}
	if v := trimV(version); v != "" {
		parts = append(parts, v)
	}
	return strings.Join(append(parts, p.Slug()), "_")
}

// Ext returns the archive extension for the platform: ".zip" for windows,
// ".tar.gz" otherwise.
func Ext(p matrix.Platform) string {
	if p.OS == "windows" {
		return ".zip"
	}
	return ".tar.gz"
}

func trimV(version string) string {
	if len(version) > 1 && version[0] == 'v' && version[1] >= '0' && version[1] <= '9' {
		return version[1:]
	}
	return version
}
