package project

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

// writeModule writes a module example.com/m with files (path → content)
// into a temporary directory and opens it.
func writeModule(t *testing.T, files map[string]string) *Module {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["go.mod"]; !ok {
		files["go.mod"] = "module example.com/m\n\ngo 1.22\n"
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// mainFile is a minimal program file, with extra declarations.
func mainFile(extra string) string {
	return "package main\n\n" + extra + "\n\nfunc main() {}\n"
}

var (
	linuxAMD64   = matrix.Platform{OS: "linux", Arch: "amd64"}
	darwinARM64  = matrix.Platform{OS: "darwin", Arch: "arm64"}
	windowsAMD64 = matrix.Platform{OS: "windows", Arch: "amd64"}
	linuxOnly    = Options{Platforms: []matrix.Platform{linuxAMD64}}
	threeOS      = Options{Platforms: []matrix.Platform{linuxAMD64, darwinARM64, windowsAMD64}}
)

// mains returns the programs' Main fields.
func mains(ps []Program) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Main)
	}
	return out
}

// hasNote reports whether a note contains all of parts.
func hasNote(notes []Note, parts ...string) bool {
	return slices.ContainsFunc(notes, func(n Note) bool {
		for _, p := range parts {
			if !strings.Contains(n.String(), p) {
				return false
			}
		}
		return true
	})
}

func noteStrings(notes []Note) string {
	var s []string
	for _, n := range notes {
		s = append(s, n.String())
	}
	return strings.Join(s, "\n")
}
