package binaries

import (
	"cmp"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/project"
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

// Project is the release's project name: project (Config.Project), else
// name (the one binary's Name), else the release config's project name,
// else the module's last element. bad lists each of those names the user
// set, or the module gave, that is not a file name, spelled as its
// setting: nameIs is how name was set ("KILN_NAME=x", "Config.Name=x").
func Project(mod *project.Module, project, name, nameIs string) (proj string, bad []string) {
	proj = cmp.Or(project, name, ReleaseProject(mod), mod.Name())
	if project != "" || name == "" {
		if err := CheckName(proj); err != nil {
			what := fmt.Sprintf("Config.Project %q", proj)
			if project == "" {
				what = fmt.Sprintf("the project's name %q, the last element of module %s (set Config.Project)", proj, mod.Path)
			}
			bad = append(bad, what+": "+err.Error())
		}
	}
	if name != "" {
		if err := CheckName(name); err != nil {
			bad = append(bad, nameIs+": "+err.Error())
		}
	}
	return proj, bad
}

// Names are the binaries' names, in their order.
func Names(bins []Bin) []string {
	names := make([]string, len(bins))
	for i, b := range bins {
		names[i] = b.Name
	}
	return names
}

// Main is the binary the image and the service run by default: the one
// named after the project when there is one, else the first.
func Main(bins []Bin, project string) string {
	if names := Names(bins); slices.Contains(names, project) {
		return project
	}
	return bins[0].Name
}
