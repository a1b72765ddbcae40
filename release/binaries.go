package release

import (
	"cmp"
	"context"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// resolveBinaries applies the binaries' defaults: the configured list, or
// the one-binary shorthand (Name, Main), or the module's main packages;
// KILN_MAIN (a comma-separated list) narrows or replaces them.
func (p *Plan) resolveBinaries(ctx context.Context, s Settings, envMain, name string, cgo gobuild.CgoMode) ([]Bin, error) {
	list := slices.Clone(s.Binaries)
	if len(list) == 0 && (s.Main != "" || name != "") {
		list = []Binary{{Name: name, Main: s.Main}}
	}
	if envMain != "" {
		var picked []Binary
		for _, m := range strings.Split(envMain, ",") {
			if m = strings.TrimSpace(m); m == "" {
				continue
			}
			b := Binary{Main: m}
			for _, c := range list {
				if c.Main != "" && sameMain(p.Module, c.Main, m) {
					b = c
				}
			}
			if len(list) == 1 && len(s.Binaries) == 0 {
				b.Name = list[0].Name // the shorthand's name goes with KILN_MAIN
			}
			picked = append(picked, b)
		}
		if len(picked) == 0 {
			return nil, fmt.Errorf("KILN_MAIN=%q names no package: want a comma-separated list of directories (./cmd/app) or import paths", envMain)
		}
		list = picked
	}
	if len(list) == 1 && list[0].Main == "" {
		found, err := p.discover(ctx)
		if err != nil {
			return nil, err
		}
		if len(found) > 1 && list[0].Name != "" {
			return nil, fmt.Errorf("Config.Name/KILN_NAME %q names one binary, but module %s has %d main packages (%s): set Config.Main, or list them in Config.Binaries",
				list[0].Name, p.Module, len(found), mainsOf(found))
		}
		found[0].Name = list[0].Name
		list = found
	}
	if len(list) == 0 {
		var err error
		if list, err = p.discover(ctx); err != nil {
			return nil, err
		}
	}

	var errs []string
	seen := map[string]string{}
	bins := make([]Bin, 0, len(list))
	for i, b := range list {
		if b.Main == "" {
			errs = append(errs, fmt.Sprintf("Config.Binaries[%d] (%s): Main is empty: set the main package", i, b.Name))
			continue
		}
		imp, err := importPath(p.Module, b.Main)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		if dir, ok := p.packageDir(imp); ok && !isDir(dir) {
			errs = append(errs, fmt.Sprintf("%s: no such directory in module %s (%s)", mainSetting(s, envMain, i, b.Main), p.Module, dir))
			continue
		}
		bn := Bin{Name: cmp.Or(b.Name, binaryName(p.Module, imp)), Main: b.Main, ImportPath: imp,
			Tags:    append(slices.Clone(s.Tags), b.Tags...),
			LDFlags: append(slices.Clone(s.LDFlags), b.LDFlags...),
			Env:     append(slices.Clone(s.Env), b.Env...),
			Cgo:     cmp.Or(b.Cgo, cgo), VerifyArgs: b.VerifyArgs}
		if !validCgo(bn.Cgo) {
			errs = append(errs, fmt.Sprintf("binary %s: Cgo %q: want auto, on or off", bn.Name, bn.Cgo))
		}
		if err := checkName(bn.Name); err != nil {
			errs = append(errs, fmt.Sprintf("binary name %q (main package %s): %v", bn.Name, b.Main, err))
		}
		if prev, ok := seen[strings.ToLower(bn.Name)]; ok {
			errs = append(errs, fmt.Sprintf("two binaries named %q (%s and %s): give one a Name", bn.Name, prev, b.Main))
		}
		seen[strings.ToLower(bn.Name)] = b.Main
		bn.Platforms = p.Platforms
		if b.Platforms != "" {
			if bn.Platforms, err = p.binaryPlatforms(ctx, b.Platforms); err != nil {
				errs = append(errs, fmt.Sprintf("binary %s: Platforms %q: %v", bn.Name, b.Platforms, err))
			}
		}
		bins = append(bins, bn)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("kiln configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return bins, nil
}

// mainSetting names the setting that gave binary i its main package, with
// the value, as a message names it.
func mainSetting(s Settings, envMain string, i int, main string) string {
	switch {
	case envMain == main:
		return setting("KILN_MAIN").is(main)
	case envMain != "":
		return setting("KILN_MAIN").is(envMain) + ": " + main
	case len(s.Binaries) > 0:
		return setting(fmt.Sprintf("Config.Binaries[%d].Main", i)).is(main)
	}
	return setting("Config.Main").is(main)
}

func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// binaryPlatforms returns the run's platforms that sel names.
func (p *Plan) binaryPlatforms(ctx context.Context, sel string) ([]matrix.Platform, error) {
	u, err := p.loadUniverse(ctx)
	if err != nil {
		return nil, err
	}
	named, err := selectPlatforms(u, sel, p.Platforms)
	if err != nil {
		return nil, err
	}
	var ps []matrix.Platform
	for _, pl := range p.Platforms {
		if slices.Contains(named, pl) {
			ps = append(ps, pl)
		}
	}
	return ps, nil
}

// discover finds the module's programs: the root when it is package main;
// else every main package directly under cmd/; else the module's only
// main package.
func (p *Plan) discover(ctx context.Context) ([]Binary, error) {
	if isMainDir(p.Dir) {
		return []Binary{{Main: "."}}, nil
	}
	var found []Binary
	ents, _ := os.ReadDir(filepath.Join(p.Dir, "cmd"))
	for _, e := range ents {
		if e.IsDir() && isMainDir(filepath.Join(p.Dir, "cmd", e.Name())) {
			found = append(found, Binary{Main: "./cmd/" + e.Name()})
		}
	}
	if len(found) > 0 {
		return found, nil
	}
	out, err := p.engine.Go(ctx, p.Dir, "list", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{end}}`, "./...")
	if err != nil {
		return nil, fmt.Errorf("look for the main packages: %w", err)
	}
	for _, l := range strings.Fields(string(out)) {
		if l != p.Module+"/magefiles" { // mage's directory is package main, not the program
			found = append(found, Binary{Main: "./" + strings.TrimPrefix(strings.TrimPrefix(l, p.Module), "/")})
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("module %s has no main package: nothing to build (set Config.Main or KILN_MAIN)", p.Module)
	case 1:
		return found, nil
	}
	var lit []string
	for _, b := range found {
		lit = append(lit, fmt.Sprintf("{Main: %q}", b.Main))
	}
	return nil, fmt.Errorf("module %s has %d main packages outside cmd/: %s; pick the programs to ship in your magefile's init():\n  targets.Config.Binaries = []release.Binary{%s}\nor set KILN_MAIN=%s",
		p.Module, len(found), mainsOf(found), strings.Join(lit, ", "), strings.ReplaceAll(mainsOf(found), " ", ""))
}

func mainsOf(bs []Binary) string {
	var s []string
	for _, b := range bs {
		s = append(s, b.Main)
	}
	return strings.Join(s, ", ")
}

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

// binaryName is the default name of the binary built from the package at
// import path imp: its directory's name, the module's name for the root.
func binaryName(mod, imp string) string {
	if imp == mod {
		return moduleName(mod)
	}
	return moduleName(imp)
}

// moduleName is the last element of a path without a major version
// suffix: example.com/tool/v2 → tool.
func moduleName(p string) string {
	prefix, _, ok := module.SplitPathVersion(p)
	if !ok || prefix == "" {
		prefix = p
	}
	return path.Base(prefix)
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// reserved are the device names Windows refuses as file names, with any
// extension.
var reserved = regexp.MustCompile(`(?i)^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$`)

// checkName accepts names that are safe file names on every OS.
func checkName(s string) error {
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

// isMainDir reports whether a non-test Go file in dir declares package main.
func isMainDir(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") && packageClause(f) == "main" && !isMagefile(f) {
			return true
		}
	}
	return false
}

// packageClause returns the package name of a Go file, parsing only up to
// the package clause ("" when the file is not Go).
func packageClause(file string) string {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.PackageClauseOnly)
	if err != nil {
		return ""
	}
	return f.Name.Name
}

// isMagefile reports whether a file is a magefile, which is package main
// but not the program: as mage decides, a file the build tag mage brings
// in (not merely one that mentions mage, like //go:build !mage).
func isMagefile(file string) bool {
	dir, name := filepath.Split(file)
	withMage := build.Default
	withMage.BuildTags = append(slices.Clone(withMage.BuildTags), "mage")
	in, err := withMage.MatchFile(dir, name)
	if err != nil || !in {
		return false
	}
	out, err := build.Default.MatchFile(dir, name)
	return err == nil && !out
}
