package project

import (
	"errors"
	"fmt"
	"go/build"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/kiln-build/kiln/matrix"
)

// Note is something a user should know about what was read, that is not
// an error: a field kiln does not use, a choice made for them.
type Note struct {
	// Where names the source: ".goreleaser.yml builds[1].hooks",
	// "cmd/tool", "README.md".
	Where string
	// Text says what happened and what to do about it.
	Text string
}

func (n Note) String() string {
	if n.Where == "" {
		return n.Text
	}
	return n.Where + ": " + n.Text
}

// Module is a Go module read from its directory.
type Module struct {
	// Dir is the module root, absolute.
	Dir string
	// Path is the module path from go.mod.
	Path string
	// Release is the module's GoReleaser config; nil when it has none or
	// it cannot be read (then Notes say why).
	Release *Config
	// Notes are what reading the module found worth saying.
	Notes []Note

	pkgs   map[pkgKey]*pkgInfo // go/build results, per directory and context
	checks map[string]*checked // type-checked packages, per import path and file list
}

// Open reads the module whose go.mod is in dir, and its release config.
func Open(dir string) (*Module, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("no go.mod in %s: run kiln from the root of your Go module", abs)
	}
	mp := modfile.ModulePath(data)
	if mp == "" {
		return nil, fmt.Errorf("go.mod in %s has no module line", abs)
	}
	m := &Module{Dir: abs, Path: mp, pkgs: map[pkgKey]*pkgInfo{}, checks: map[string]*checked{}}
	cfg, err := ReadConfig(abs)
	switch {
	case err != nil:
		m.Notes = append(m.Notes, Note{Where: configName(err), Text: fmt.Sprintf("%v; kiln reads no build statement from it (fix the file, or say what ships in Config.Binaries)", errors.Unwrap(err))})
	case cfg != nil:
		m.Release = cfg
		m.Notes = append(m.Notes, cfg.Notes...)
	}
	return m, nil
}

// configName returns the file a ReadConfig error is about.
func configName(err error) string {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return ce.File
	}
	return ".goreleaser.yml"
}

// Name is the module's short name: the last element of its path without a
// major version suffix (example.com/tool/v2 → tool).
func (m *Module) Name() string { return ShortName(m.Path) }

// ShortName is the last element of a path without a major version
// suffix (example.com/tool/v2 → tool): a module's name, and the default
// name of the program of a main package's import path.
func ShortName(p string) string {
	prefix, _, ok := module.SplitPathVersion(p)
	if !ok || prefix == "" {
		prefix = p
	}
	return path.Base(prefix)
}

// Options are the build conditions source files are evaluated under.
type Options struct {
	// Platforms are the planned platforms; a directory is a program when it
	// is package main for at least one. Default: the host's GOOS/GOARCH.
	Platforms []matrix.Platform
	// Tags are the build tags every build sets.
	Tags []string
	// Cgo makes files that import "C" count, as in a cgo build.
	Cgo bool
}

func (o Options) platforms() []matrix.Platform {
	if len(o.Platforms) == 0 {
		return []matrix.Platform{{OS: runtime.GOOS, Arch: runtime.GOARCH}}
	}
	return o.Platforms
}

// context is the go/build context of one platform under o: no GOPATH, no
// go command, only file matching.
func (o Options) context(p matrix.Platform) build.Context {
	c := build.Default
	c.GOOS, c.GOARCH = p.OS, p.Arch
	c.CgoEnabled = o.Cgo
	c.BuildTags = slices.Clone(o.Tags)
	// The host's arch feature tags (amd64.v1) do not hold for another
	// GOARCH; keep only the experiment tags.
	c.ToolTags = slices.DeleteFunc(slices.Clone(c.ToolTags), func(t string) bool { return !strings.HasPrefix(t, "goexperiment.") })
	c.GOPATH = ""
	c.Dir = ""
	return c
}

// importPath is the import path of the module directory rel ("." or
// "cmd/tool").
func (m *Module) importPath(rel string) string {
	rel = filepath.ToSlash(rel)
	if rel == "." || rel == "" {
		return m.Path
	}
	return m.Path + "/" + strings.TrimPrefix(rel, "./")
}

// relDir is the module-relative directory ("./cmd/tool", ".") of an
// import path of the module, and whether it is one.
func (m *Module) relDir(imp string) (string, bool) {
	if imp == m.Path {
		return ".", true
	}
	rest, ok := strings.CutPrefix(imp, m.Path+"/")
	if !ok || rest == "" {
		return "", false
	}
	return "./" + rest, true
}

// mainDir resolves a main package given as a module-relative directory
// ("./cmd/tool", "cmd/tool/main.go", ".") or an import path of the module
// to its clean relative form ("./cmd/tool" or ".").
func (m *Module) mainDir(main string) (string, error) {
	s := filepath.ToSlash(strings.TrimSpace(main))
	if s == "" {
		return "", fmt.Errorf("empty main package")
	}
	if rel, ok := m.relDir(s); ok {
		return rel, nil
	}
	if strings.HasSuffix(s, ".go") {
		s = path.Dir(s)
	}
	if path.IsAbs(s) || filepath.IsAbs(main) {
		return "", fmt.Errorf("main package %q: want a directory relative to the module root", main)
	}
	c := path.Clean(s)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("main package %q is outside the module", main)
	}
	if c == "." {
		return ".", nil
	}
	if strings.Contains(c, ".") && !strings.HasPrefix(s, ".") && strings.Contains(strings.Split(c, "/")[0], ".") {
		return "", fmt.Errorf("main package %q is not in module %s", main, m.Path)
	}
	return "./" + c, nil
}
