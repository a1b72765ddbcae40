package targets_test

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
)

// TestMainPackage: the main package is found when there is exactly one;
// none and several are clear errors; KILN_MAIN chooses.
func TestMainPackage(t *testing.T) {
	root := t.TempDir()

	t.Run("none", func(t *testing.T) {
		c := newConsumer(t, filepath.Join(root, "lib"), "example.com/lib", map[string]string{
			"lib.go":      "=// Package lib is a library, not a program.\npackage lib\n\n// Answer is the answer.\nconst Answer = 42\n",
			"magefile.go": "magefiles/root.go"})
		c.fails(nil, []string{"build"}, "example.com/lib has no main package", "KILN_MAIN")
	})

	prog := func(s string) string {
		return "=package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"" + s + "\") }\n"
	}
	// Every main package under cmd/ is a binary of the project, named
	// after its directory; KILN_MAIN picks some.
	t.Run("cmd", func(t *testing.T) {
		c := newConsumer(t, filepath.Join(root, "two"), "example.com/two", map[string]string{
			"cmd/a/main.go": prog("I am a"),
			"cmd/b/main.go": prog("I am b"),
			"magefile.go":   "magefiles/root.go"})
		c.ok([]string{"KILN_MAIN=./cmd/b"}, "build")
		runHost(t, c, "two", "b", "I am b")
		if _, err := os.Stat(c.path("dist", "two_"+runtime.GOOS+"_"+runtime.GOARCH, "a")); !os.IsNotExist(err) {
			t.Errorf("KILN_MAIN=./cmd/b built a too: %v", err)
		}
		c.ok(nil, "build")
		runHost(t, c, "two", "a", "I am a")
		runHost(t, c, "two", "b", "I am b")

		// The whole default matrix, zero config: every archive holds both.
		c.ok(nil, "crossall", "verify", "package")
		m := c.manifest("dist")
		if bins := m.Filter(artifact.ByKind(artifact.Binary)); len(bins) != 14 {
			t.Errorf("%d binaries, want a and b for each of the 7 default platforms", len(bins))
		}
		archives := m.Filter(artifact.ByKind(artifact.Archive))
		if len(archives) != 7 {
			t.Fatalf("%d archives, want 7", len(archives))
		}
		for _, a := range archives {
			names := archiveNames(t, c.path("dist", a.Path))
			exe := a.Platform().Exe()
			if !slices.Contains(names, "a"+exe) || !slices.Contains(names, "b"+exe) {
				t.Errorf("%s holds %q, want a%s and b%s", a.Path, names, exe, exe)
			}
		}
	})

	// Several main packages elsewhere: an error listing them and the line
	// of Go that picks them.
	t.Run("two elsewhere", func(t *testing.T) {
		c := newConsumer(t, filepath.Join(root, "else"), "example.com/else", map[string]string{
			"tools/a/main.go": prog("I am a"),
			"tools/b/main.go": prog("I am b"),
			"magefile.go":     "magefiles/root.go"})
		c.fails(nil, []string{"build"}, "2 main packages", "./tools/a", "./tools/b", "Config.Binaries", "KILN_MAIN")
		c.ok([]string{"KILN_MAIN=./tools/b"}, "build")
		runHost(t, c, "else", "b", "I am b")
	})

	// A package that is not main is refused, not built into an archive.
	t.Run("not main", func(t *testing.T) {
		c := newConsumer(t, filepath.Join(root, "nm"), "example.com/nm", map[string]string{
			"main.go":     prog("I am nm"),
			"lib/lib.go":  "=package lib\n\nconst X = 1\n",
			"magefile.go": "magefiles/root.go"})
		c.fails([]string{"KILN_MAIN=./lib"}, []string{"build"}, "not a main package")
	})

	// mage's magefiles/ directory holds package main without a build tag:
	// it is not a second program.
	t.Run("magefiles directory", func(t *testing.T) {
		magefile, err := os.ReadFile(filepath.Join("testdata", "magefiles", "root.go"))
		if err != nil {
			t.Fatal(err)
		}
		c := newConsumer(t, filepath.Join(root, "mf"), "example.com/mf", map[string]string{
			"cmd/mf/main.go":        "=package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"I am mf\") }\n",
			"magefiles/magefile.go": "=" + strings.Replace(string(magefile), "//go:build mage\n", "", 1)})
		c.ok(nil, "build")
		runHost(t, c, "mf", "mf", "I am mf")
	})
}

// archiveNames lists the file names in a .tar.gz or .zip.
func archiveNames(t *testing.T, path string) []string {
	t.Helper()
	var names []string
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		return names
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
}

// runHost runs the binary name of project for this machine's platform
// from dist/ and checks what it prints.
func runHost(t *testing.T, c *consumer, project, name, want string) {
	t.Helper()
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	bin := c.path("dist", project+"_"+runtime.GOOS+"_"+runtime.GOARCH, name+exe)
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != want {
		t.Errorf("%s printed %q (%v), want %q", bin, out, err, want)
	}
}
