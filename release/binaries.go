package release

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/mod/module"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
)

// resolver decides the binaries of a plan from the Go configuration and
// what the module ships (package project), read once.
type resolver struct {
	p   *Plan
	in  inputs
	mod *project.Module
	// vcs says why Go's VCS stamping is off ("" when it is on).
	vcs string
	// rows are the release config's Go builds rendered per platform;
	// found the platforms of the programs found, by import path.
	rows  []project.BuildFlags
	found map[string][]matrix.Platform
}

// binaries resolves the binaries: the configured list, or the one-binary
// shorthand (Name, Main), or the module's programs; KILN_MAIN (a
// comma-separated list) narrows or replaces them. Each takes its defaults
// from the release config's builds of its main package (Go wins), its
// cgo decision per platform, and the variables its version is stamped in.
func (r *resolver) binaries(ctx context.Context) ([]Bin, error) {
	p := r.p
	for _, n := range r.mod.Notes {
		p.note(n.String())
	}
	if c := r.mod.Release; c != nil {
		rows, notes := c.Render(r.facts(), r.mod.Name(), p.planned)
		r.rows = rows
		for _, n := range notes {
			p.note(n.String())
		}
	}
	list, err := r.list()
	if err != nil {
		return nil, err
	}
	var errs []string
	seen := map[string]string{}
	bins := make([]Bin, 0, len(list))
	for i, b := range list {
		if b.Main == "" {
			errs = append(errs, fmt.Sprintf("Config.Binaries[%d] (%s): Main is empty: set the main package", i, b.Name))
			continue
		}
		if imp, err := importPath(p.Module, b.Main); err == nil {
			if dir, ok := p.packageDir(imp); ok && !isDir(dir) {
				errs = append(errs, fmt.Sprintf("%s: no such directory in module %s (%s)", mainSetting(r.in.s, r.in.mains, i, b.Main), p.Module, dir))
				continue
			}
		}
		bn, bad := r.binary(ctx, b)
		errs = append(errs, bad...)
		if bn.Name == "" {
			continue
		}
		if prev, ok := seen[strings.ToLower(bn.Name)]; ok {
			errs = append(errs, fmt.Sprintf("two binaries named %q (%s and %s): give one a Name", bn.Name, prev, b.Main))
		}
		seen[strings.ToLower(bn.Name)] = b.Main
		bins = append(bins, bn)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("kiln configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return bins, nil
}

// list is the binaries as configured, or found.
func (r *resolver) list() ([]Binary, error) {
	s, envMain, name := r.in.s, r.in.mains, r.in.s.Name
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
				if c.Main != "" && sameMain(r.p.Module, c.Main, m) {
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
	switch {
	case len(list) == 1 && list[0].Main == "":
		found, err := r.programs()
		if err != nil {
			return nil, err
		}
		if len(found) > 1 && list[0].Name != "" {
			mains := make([]string, len(found))
			for i, b := range found {
				mains[i] = b.Main
			}
			return nil, fmt.Errorf("Config.Name/KILN_NAME %q names one binary, but module %s has %d programs (%s): set Config.Main, or list them in Config.Binaries",
				list[0].Name, r.p.Module, len(found), strings.Join(mains, ", "))
		}
		if list[0].Name != "" {
			found[0].Name = list[0].Name
		}
		return found, nil
	case len(list) == 0:
		return r.programs()
	}
	return list, nil
}

// programs are the module's programs (project.Programs: the release
// config's builds, the README's go install lines, the structure), found
// for the planned platforms.
func (r *resolver) programs() ([]Binary, error) {
	o := project.Options{Platforms: r.p.planned, Tags: r.in.s.Tags, Cgo: r.in.s.Cgo != gobuild.CgoOff}
	progs, notes, err := r.mod.Programs(o)
	for _, n := range notes {
		r.p.note(n.String())
	}
	if err != nil {
		return nil, err
	}
	r.found = map[string][]matrix.Platform{}
	bins := make([]Binary, len(progs))
	for i, pr := range progs {
		r.found[pr.ImportPath] = pr.Platforms
		bins[i] = Binary{Name: pr.Name, Main: pr.Main}
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

func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// binary resolves one binary; it returns the bad values found.
func (r *resolver) binary(ctx context.Context, b Binary) (Bin, []string) {
	p, s := r.p, r.in.s
	imp, err := importPath(p.Module, b.Main)
	if err != nil {
		return Bin{}, []string{err.Error()}
	}
	rows := r.rowsFor(imp, b.Name)
	name := b.Name
	if name == "" && len(rows) > 0 {
		name = rows[0].Program
	}
	bn := Bin{Name: cmp.Or(name, binaryName(p.Module, imp)), Main: b.Main, ImportPath: imp,
		Tags:    append(slices.Clone(s.Tags), b.Tags...),
		LDFlags: append(slices.Clone(s.LDFlags), b.LDFlags...),
		Env:     append(slices.Clone(s.Env), b.Env...), VerifyArgs: b.VerifyArgs}
	var errs []string
	if err := checkName(bn.Name); err != nil {
		errs = append(errs, fmt.Sprintf("binary name %q (main package %s): %v", bn.Name, b.Main, err))
	}
	// The binary's platforms of the whole planned matrix (shards agree on
	// them), then those of this run.
	var all []matrix.Platform
	switch {
	case b.Platforms != "":
		if all, err = p.binaryPlatforms(ctx, b.Platforms); err != nil {
			errs = append(errs, fmt.Sprintf("binary %s: Platforms %q: %v", bn.Name, b.Platforms, err))
		}
	case len(rows) > 0:
		all = slices.DeleteFunc(slices.Clone(p.planned), func(pl matrix.Platform) bool { return rowFor(rows, pl) == nil })
	case r.found[imp] != nil:
		all = slices.DeleteFunc(slices.Clone(p.planned), func(pl matrix.Platform) bool { return !slices.Contains(r.found[imp], pl) })
	default:
		all = p.planned
	}
	bn.Platforms = slices.DeleteFunc(slices.Clone(all), func(pl matrix.Platform) bool { return !slices.Contains(p.Platforms, pl) })
	cgo, err := r.binaryCgo(ctx, bn.Name, string(b.Cgo))
	if err != nil {
		errs = append(errs, err.Error())
	}
	bn.Builds = map[matrix.Platform]BinBuild{}
	for _, pl := range all {
		bn.Builds[pl] = r.build(b, bn, rowFor(rows, pl), cgo(pl))
	}
	r.stamp(&bn, rows, all)
	for pl, bb := range bn.Builds {
		bb.LDFlags = mergeLDFlags(bn.Stamp, bn.LDFlags, rowFor(rows, pl))
		bn.Builds[pl] = bb
	}
	return bn, errs
}

// binaryPlatforms returns the planned platforms that sel names.
func (p *Plan) binaryPlatforms(ctx context.Context, sel string) ([]matrix.Platform, error) {
	u, err := p.Universe(ctx)
	if err != nil {
		return nil, err
	}
	named, err := selectPlatforms(u, sel, p.planned)
	if err != nil {
		return nil, err
	}
	var ps []matrix.Platform
	for _, pl := range p.planned {
		if slices.Contains(named, pl) {
			ps = append(ps, pl)
		}
	}
	return ps, nil
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
