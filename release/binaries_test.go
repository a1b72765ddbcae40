package release

import (
	"os"
	"path/filepath"
	"testing"
)

func TestModuleName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"example.com/tool", "tool"},
		{"example.com/tool/v2", "tool"},
		{"example.com/tool/v10", "tool"},
		{"github.com/kiln-build/kiln/sample-app", "sample-app"},
		{"gopkg.in/yaml.v3", "yaml"},
		{"gopkg.in/check.v1", "check"},
		{"example.com/v2", "example.com"},
		{"tool", "tool"},
		{"example.com/tool/v1", "v1"}, // not a major-version suffix: v1 is never one
		{"example.com/tool/v2x", "v2x"},
	} {
		if got := moduleName(tc.in); got != tc.want {
			t.Errorf("moduleName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// writeFiles writes name → content into a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPackageClause(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"plain", "package main\n\nfunc main() {}\n", "main"},
		{"line comments", "// Copyright 2024.\n// package lib is not the clause.\n\npackage main\n", "main"},
		{"build tags", "//go:build linux && !cgo\n// +build linux,!cgo\n\npackage cfeature\n", "cfeature"},
		{"block comment", "/*\nLicense text.\npackage notthis\n*/\n\npackage main\n", "main"},
		{"one-line block comment", "/* License. */\npackage main\n", "main"},
		{"block comment ending before the clause", "/* License\n   text */ package main\n", "main"},
		{"trailing comment", "package main // the program\n", "main"},
		{"indented", "\n\n   package   tool\n", "tool"},
		{"doc comment then magefile tag", "//go:build mage\n\n// Build things.\npackage main\n", "main"},
		{"no clause", "// just a comment\n", ""},
		{"empty", "", ""},
		{"bare keyword", "package\n", ""},
	}
	files := map[string]string{}
	for i, tc := range cases {
		files[string(rune('a'+i))+".go"] = tc.src
	}
	dir := writeFiles(t, files)
	for i, tc := range cases {
		if got := packageClause(filepath.Join(dir, string(rune('a'+i))+".go")); got != tc.want {
			t.Errorf("%s: packageClause(%q) = %q, want %q", tc.name, tc.src, got, tc.want)
		}
	}
	if got := packageClause(filepath.Join(dir, "missing.go")); got != "" {
		t.Errorf("packageClause(missing file) = %q, want \"\"", got)
	}
}

func TestIsMagefile(t *testing.T) {
	cases := []struct {
		name, src string
		want      bool
	}{
		{"mage tag", "//go:build mage\n\npackage main\n", true},
		{"mage in an expression", "//go:build mage && linux\n\npackage main\n", true},
		{"mage after a comment", "// The build.\n\n//go:build ignore || mage\n\npackage main\n", true},
		{"program", "package main\n\nfunc main() {}\n", false},
		{"other tag", "//go:build linux\n\npackage main\n", false},
		{"word containing mage", "//go:build image\n\npackage main\n", false},
		{"mage after the clause", "package main\n\n//go:build mage\n", false},
		{"mage only in a comment", "// Run it with mage.\npackage main\n", false},
		{"excluded from mage", "//go:build !mage\n\npackage main\n", false},
	}
	for _, tc := range cases {
		dir := writeFiles(t, map[string]string{"f.go": tc.src})
		if got := isMagefile(filepath.Join(dir, "f.go")); got != tc.want {
			t.Errorf("%s: isMagefile(%q) = %v, want %v", tc.name, tc.src, got, tc.want)
		}
	}
	if isMagefile(filepath.Join(t.TempDir(), "missing.go")) {
		t.Error("isMagefile(missing file) = true")
	}
}

func TestIsMainDir(t *testing.T) {
	const magefile = "//go:build mage\n\npackage main\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"program", map[string]string{"main.go": "package main\n"}, true},
		{"program and magefile", map[string]string{"main.go": "package main\n", "magefile.go": magefile}, true},
		{"magefile only", map[string]string{"magefile.go": magefile, "lib.go": "package lib\n"}, false},
		{"library", map[string]string{"lib.go": "package lib\n"}, false},
		{"main only in a test", map[string]string{"lib.go": "package lib\n", "main_test.go": "package main\n"}, false},
		{"not Go", map[string]string{"main.txt": "package main\n"}, false},
		{"empty", map[string]string{}, false},
		{"program excluded from mage", map[string]string{"main.go": "//go:build !mage\n\npackage main\n", "magefile.go": magefile}, true},
	} {
		if got := isMainDir(writeFiles(t, tc.files)); got != tc.want {
			t.Errorf("%s: isMainDir(%v) = %v, want %v", tc.name, tc.files, got, tc.want)
		}
	}
}
