// Package apt installs missing Debian packages on demand, for kiln's opt-in
// "toolchains on demand" (Config.Toolchains = "install"): kiln knows which
// commands a platform's build and run check need and which Debian package
// provides each; Missing finds the commands that are not there and Install
// runs apt-get for their packages, as root or through a password-less sudo.
//
// Nothing here prompts: when apt-get cannot run unattended the error says
// why and gives the exact command to run by hand (Line).
package apt

import (
	"os"
	"path/filepath"
	"strings"
)

// Need is a command kiln needs and the Debian package that provides it,
// e.g. {"musl-gcc", "musl-tools"}.
type Need struct {
	Command string
	Package string
}

// Missing returns the needs whose command is not found in path, a PATH value
// (not the process environment: the caller passes the PATH its commands
// will run with). Order is kept. Empty and relative PATH entries are not
// searched; a command containing a slash is checked as it is; a need without
// a command is never missing.
func Missing(needs []Need, path string) []Need {
	var out []Need
	for _, n := range needs {
		if n.Command == "" {
			continue
		}
		if _, ok := lookPathIn(n.Command, path); !ok {
			out = append(out, n)
		}
	}
	return out
}

// Packages returns the packages of needs, each once, in first-seen order.
func Packages(needs []Need) []string {
	pkgs := make([]string, 0, len(needs))
	for _, n := range needs {
		if n.Package != "" {
			pkgs = append(pkgs, n.Package)
		}
	}
	return dedupe(pkgs)
}

// Line is the apt-get command that installs pkgs, for messages that tell a
// user what to run by hand: "apt-get install -y --no-install-recommends a b".
func Line(pkgs []string) string {
	return strings.Join(append(installArgs(), dedupe(pkgs)...), " ")
}

func installArgs() []string {
	return []string{"apt-get", "install", "-y", "--no-install-recommends"}
}

// lookPathIn finds an executable regular file named file in the directories
// of path, or file itself when it contains a slash.
func lookPathIn(file, path string) (string, bool) {
	if strings.Contains(file, "/") {
		return file, isExecutable(file)
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" || !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, file)
		if isExecutable(p) {
			return p, true
		}
	}
	return "", false
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

func dedupe(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// validName reports whether s is a Debian package name, optionally with an
// ":arch" qualifier (Debian policy 5.6.1: lower-case letters, digits, "+",
// "-", "."; at least two characters; starts alphanumeric). It also keeps
// anything that apt-get would read as an option off its command line.
func validName(s string) bool {
	name, arch, hasArch := strings.Cut(s, ":")
	if len(name) < 2 || !isLowerAlnum(name[0]) {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isLowerAlnum(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	if !hasArch {
		return true
	}
	if arch == "" {
		return false
	}
	for i := 0; i < len(arch); i++ {
		if c := arch[i]; !isLowerAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }
