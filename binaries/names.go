package binaries

import (
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// importPath returns the import path of a main package given as a
// directory relative to the module root or as an import path.
func importPath(mod, main string) (string, error) {
	m := filepath.ToSlash(main)
	if m == "." || strings.HasPrefix(m, "./") || strings.HasPrefix(m, "../") {
		c := path.Clean(m)
		if c == ".." || strings.HasPrefix(c, "../") {
			return "", fmt.Errorf("main package %q is outside the module %s", main, mod)
		}
		if c == "." {
			return mod, nil
		}
		return mod + "/" + c, nil
	}
	if filepath.IsAbs(main) {
		return "", fmt.Errorf("main package %q: want a directory relative to the module root (./cmd/app) or an import path", main)
	}
	return m, nil
}

// sameMain reports whether two spellings name the same main package.
func sameMain(mod, a, b string) bool {
	ia, err1 := importPath(mod, a)
	ib, err2 := importPath(mod, b)
	return err1 == nil && err2 == nil && ia == ib
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// reserved are the device names Windows refuses as file names, with any
// extension.
var reserved = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$`)

// CheckName accepts names that are safe file names on every OS.
func CheckName(s string) error {
	switch {
	case !nameRE.MatchString(s):
		return fmt.Errorf("want a file name of letters, digits, '.', '_' or '-', starting with a letter or digit")
	case len(s) > 100:
		return fmt.Errorf("longer than 100 characters")
	case reserved.MatchString(s):
		return fmt.Errorf("a device name on windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9): choose another")
	case strings.HasSuffix(strings.ToLower(s), ".exe"):
		return fmt.Errorf("drop the .exe: kiln adds it to windows binaries")
	}
	return nil
}
