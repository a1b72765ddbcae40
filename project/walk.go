package project

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// maxFiles bounds the files one walk of the module looks at.
const maxFiles = 50000

// pkgKey identifies one go/build evaluation: a directory under one
// platform and option set.
type pkgKey struct{ dir, cond string }

// pkgInfo is what go/build says about a directory under one platform.
type pkgInfo struct {
	name    string   // package name; "" when no file is included
	files   []string // the Go files the build includes (absolute; cgo files when cgo is on)
	imports []string
}

// pkg evaluates directory dir (absolute) under platform p and options o,
// once per module.
func (m *Module) pkg(dir string, p matrix.Platform, o Options) *pkgInfo {
	k := pkgKey{dir, p.String() + "|" + strings.Join(o.Tags, ",") + "|" + boolString(o.Cgo)}
	if pi, ok := m.pkgs[k]; ok {
		return pi
	}
	pi := &pkgInfo{}
	ctx := o.context(p)
	bp, err := ctx.ImportDir(dir, 0)
	if err == nil {
		pi.name = bp.Name
		for _, f := range append(slices.Clone(bp.GoFiles), bp.CgoFiles...) {
			pi.files = append(pi.files, filepath.Join(dir, f))
		}
		pi.imports = bp.Imports
	}
	m.pkgs[k] = pi
	return pi
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// isMain reports whether dir is package main with Go files under p.
func (m *Module) isMain(dir string, p matrix.Platform, o Options) bool {
	pi := m.pkg(dir, p, o)
	return pi.name == "main" && len(pi.files) > 0
}

// mainPlatforms returns the platforms of o under which dir is a program.
func (m *Module) mainPlatforms(dir string, o Options) []matrix.Platform {
	if !mentionsMain(dir) {
		return nil
	}
	var ps []matrix.Platform
	for _, p := range o.platforms() {
		if m.isMain(dir, p, o) {
			ps = append(ps, p)
		}
	}
	return ps
}

// mentionsMain reports whether a non-test Go file in dir says package main:
// a cheap first look before go/build evaluates constraints.
func mentionsMain(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, n), nil, parser.PackageClauseOnly)
		if err == nil && f.Name.Name == "main" {
			return true
		}
	}
	return false
}

// skipDir reports whether the walk of the module leaves out directory dir
// (absolute, below the root): magefiles, testdata, vendor, "_" and "."
// directories, and nested modules.
func (m *Module) skipDir(dir string) bool {
	name := filepath.Base(dir)
	if name == "magefiles" || name == "testdata" || name == "vendor" ||
		strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
		return true
	}
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// inModule reports whether the module-relative directory rel belongs to
// this module: it exists, and neither it nor a directory between it and
// the root is skipped by the walk's rules.
func (m *Module) inModule(rel string) bool {
	rel = filepath.Clean(filepath.FromSlash(rel))
	if rel == "." {
		return true
	}
	if st, err := os.Stat(filepath.Join(m.Dir, rel)); err != nil || !st.IsDir() {
		return false
	}
	d := m.Dir
	for _, el := range strings.Split(rel, string(filepath.Separator)) {
		d = filepath.Join(d, el)
		if m.skipDir(d) {
			return false
		}
	}
	return true
}

// found is a program directory found by a walk.
type found struct {
	rel       string // "./cmd/tool" or "."
	platforms []matrix.Platform
}

// walkMains returns the program directories under the module-relative
// directory under (sorted), honouring the walk's rules, and whether the
// walk stopped at maxFiles.
func (m *Module) walkMains(under string, o Options) ([]found, bool) {
	root := filepath.Join(m.Dir, filepath.FromSlash(under))
	var out []found
	n, capped := 0, false
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() {
			if n++; n > maxFiles {
				capped = true
				return filepath.SkipAll
			}
			return nil
		}
		if p != m.Dir && m.skipDir(p) {
			return filepath.SkipDir
		}
		if ps := m.mainPlatforms(p, o); len(ps) > 0 {
			rel, _ := filepath.Rel(m.Dir, p)
			out = append(out, found{rel: dotRel(rel), platforms: ps})
		}
		return nil
	})
	slices.SortFunc(out, func(a, b found) int { return strings.Compare(a.rel, b.rel) })
	return out, capped
}

// dotRel spells a relative directory the way Config.Binaries does.
func dotRel(rel string) string {
	rel = filepath.ToSlash(rel)
	if rel == "." || rel == "" {
		return "."
	}
	return "./" + strings.TrimPrefix(rel, "./")
}
