package verify

import (
	"strings"
)

// VersionIn returns the release version as output spells it — "1.2.3" or
// "v1.2.3" for version "v1.2.3" (or "1.2.3") — or "" when output does not
// hold it. A match must stand alone: not part of a longer version (11.2.3,
// 1.2.30, 1.2.3.4, 1.2.3-rc.1 for 1.2.3) or of a word; build metadata may
// follow (1.2.3+abc1234: semver's build metadata does not change the
// version).
func VersionIn(output, version string) string {
	plain := strings.TrimPrefix(strings.TrimSpace(version), "v")
	if plain == "" {
		return ""
	}
	for from := 0; from < len(output); {
		i := strings.Index(output[from:], plain)
		if i < 0 {
			return ""
		}
		start, end := from+i, from+i+len(plain)
		from = start + 1
		found := plain
		before := start
		if before > 0 && (output[before-1] == 'v' || output[before-1] == 'V') {
			before--
			found = output[before:end]
		}
		if before > 0 && inVersion(output[before-1]) {
			continue
		}
		if end < len(output) {
			c := output[end]
			if inVersion(c) && c != '.' && c != '+' || c == '.' && end+1 < len(output) && isDigit(output[end+1]) {
				continue
			}
		}
		return found
	}
	return ""
}

// inVersion reports whether c can continue a version or a word.
func inVersion(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '+' || c == '_'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// VersionArgs reports whether args ask a program for its version: a
// version flag (--version, -version, -v, -V) or a version command.
func VersionArgs(args []string) bool {
	if len(args) != 1 {
		return false
	}
	switch args[0] {
	case "--version", "-version", "version", "-v", "-V", "--v":
		return true
	}
	return false
}
