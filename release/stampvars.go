package release

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxScan bounds the files the search for version variables parses.
const maxScan = 4000

// stampWarnings returns one warning per binary whose main package has no
// variable for the default -X main.version (the linker ignores -X of a
// missing variable silently), with the line of config that fixes it: the
// module's package-level variables named version, when there are any.
func (p *Plan) stampWarnings() []string {
	if p.StampVars.Version != "" {
		return nil
	}
	var warns []string
	var candidates []string
	searched := false
	for _, b := range p.Binaries {
		dir, ok := p.packageDir(b.ImportPath)
		if !ok || hasVar(dir, "version") {
			continue
		}
		if importsBuildInfo(dir) {
			warns = append(warns, fmt.Sprintf("note: %s: package %s has no variable version and reads runtime/debug's build info, whose main module version kiln's builds (-buildvcs=false) leave as (devel); to print %s, add `var version = \"dev\"` (kiln stamps it)", b.Name, b.ImportPath, p.Version.Semver))
			continue
		}
		if !searched {
			candidates, searched = p.versionVars(), true
		}
		msg := fmt.Sprintf("warning: %s: package %s has no variable version, so -X main.version does nothing", b.Name, b.ImportPath)
		switch len(candidates) {
		case 0:
			msg += "; declare `var version = \"dev\"` in it, or name your variable with Config.VersionVars.Version"
		default:
			msg += fmt.Sprintf("; stamp %s instead: targets.Config.VersionVars.Version = %q", strings.Join(candidates, " or "), candidates[0])
		}
		warns = append(warns, msg)
	}
	return warns
}

// importsBuildInfo reports whether a non-test Go file in dir imports
// runtime/debug, where programs read their version from build info.
func importsBuildInfo(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, im := range f.Imports {
			if im.Path.Value == `"runtime/debug"` {
				return true
			}
		}
	}
	return false
}

// packageDir is the directory of a package of the main module.
func (p *Plan) packageDir(imp string) (string, bool) {
	if imp == p.Module {
		return p.Dir, true
	}
	rel, ok := strings.CutPrefix(imp, p.Module+"/")
	if !ok {
		return "", false
	}
	return filepath.Join(p.Dir, filepath.FromSlash(rel)), true
}

// hasVar reports whether a non-test Go file in dir declares a
// package-level variable name.
func hasVar(dir, name string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") && len(vars(f, func(n string) bool { return n == name })) > 0 {
			return true
		}
	}
	return false
}

// vars returns the package-level variables of a Go file whose names match.
func vars(file string, match func(string) bool) []string {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			for _, n := range spec.(*ast.ValueSpec).Names {
				if match(n.Name) {
					names = append(names, n.Name)
				}
			}
		}
	}
	return names
}

// versionVars finds the module's package-level variables named version or
// Version, as import/path.name, outside main packages' tests, vendor,
// testdata and nested modules.
func (p *Plan) versionVars() []string {
	var found []string
	n := 0
	filepath.WalkDir(p.Dir, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if file != p.Dir && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "vendor" || name == "testdata" || isModule(file)) {
				return filepath.SkipDir
			}
			return nil
		}
		if n++; n > maxScan {
			return filepath.SkipAll
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(p.Dir, filepath.Dir(file))
		imp := path.Join(p.Module, filepath.ToSlash(rel))
		for _, v := range vars(file, func(n string) bool { return strings.EqualFold(n, "version") }) {
			if pkg := packageClause(file); pkg != "main" {
				found = append(found, imp+"."+v)
			}
		}
		return nil
	})
	return found
}

func isModule(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}
