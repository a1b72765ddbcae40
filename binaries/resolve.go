package binaries

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/setting"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
)

// Input is what the binaries of a release are decided from: the Go
// configuration with its overrides applied, and the facts of the run.
type Input struct {
	// Module is what package project read of the main module (its path,
	// root directory and release config).
	Module *project.Module
	// Binaries, Name and Main are the configured binaries: the list
	// (Config.Binaries), or the one-binary shorthand (Config.Name or
	// KILN_NAME, Config.Main); Mains is KILN_MAIN, a comma-separated list
	// that narrows or replaces them.
	Binaries   []Binary
	Name, Main string
	Mains      string
	// Tags, LDFlags and Env are the project's, for every binary.
	Tags, LDFlags, Env []string
	// Cgo is the project's cgo mode ("": no statement) and CgoBy the
	// setting that set it ("KILN_CGO", "Config.Cgo").
	Cgo   gobuild.CgoMode
	CgoBy string
	// StampVars are the configured version variables (Settings.VersionVars).
	StampVars gobuild.StampVars
	// Planned are the platforms of the whole run (before KILN_SHARD), what
	// the module ships is read for; Platforms those of this run.
	Planned, Platforms []matrix.Platform
	// Select returns the platforms a binary's platform selector names
	// (its defaults: Planned).
	Select func(sel string) ([]matrix.Platform, error)
	// Facts are the release facts the release config's templates read.
	Facts project.Facts
	// NoVCS says why Go's VCS stamping is off ("" when it is on).
	NoVCS string
	// FactsDir is the directory of the cache of what package project read
	// of each program's identity ("": no cache).
	FactsDir string
}

// resolver decides the binaries of a release from the Go configuration
// and what the module ships (package project), read once.
type resolver struct {
	in    Input
	mod   *project.Module
	notes []string
	// rows are the release config's Go builds rendered per platform;
	// found the platforms of the programs found, by import path.
	rows  []project.BuildFlags
	found map[string][]matrix.Platform
}

// note records a note for the release to print.
func (r *resolver) note(s string) { r.notes = append(r.notes, s) }

// Resolve resolves the binaries: the configured list, or the one-binary
// shorthand (Name, Main), or the module's programs; KILN_MAIN (a
// comma-separated list) narrows or replaces them. Each takes its defaults
// from the release config's builds of its main package (Go wins), its
// cgo decision per platform, and the variables its version is stamped in.
// It returns the notes worth printing once (the release config's unused
// fields, the programs chosen, ambiguous version variables); every bad
// value is in the one error, each naming its setting.
func Resolve(in Input) ([]Bin, []string, error) {
	r := &resolver{in: in, mod: in.Module}
	bins, err := r.binaries()
	return bins, r.notes, err
}

func (r *resolver) binaries() ([]Bin, error) {
	for _, n := range r.mod.Notes {
		r.note(n.String())
	}
	if c := r.mod.Release; c != nil {
		rows, notes := c.Render(r.in.Facts, r.mod.Name(), r.in.Planned)
		r.rows = rows
		for _, n := range notes {
			r.note(n.String())
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
		if imp, err := importPath(r.mod.Path, b.Main); err == nil {
			if dir, ok := r.packageDir(imp); ok && !isDir(dir) {
				errs = append(errs, fmt.Sprintf("%s: no such directory in module %s (%s)", mainSetting(r.in, i, b.Main), r.mod.Path, dir))
				continue
			}
		}
		bn, bad := r.binary(b)
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
	envMain, name := r.in.Mains, r.in.Name
	list := slices.Clone(r.in.Binaries)
	if len(list) == 0 && (r.in.Main != "" || name != "") {
		list = []Binary{{Name: name, Main: r.in.Main}}
	}
	if envMain != "" {
		var picked []Binary
		for _, m := range strings.Split(envMain, ",") {
			if m = strings.TrimSpace(m); m == "" {
				continue
			}
			b := Binary{Main: m}
			for _, c := range list {
				if c.Main != "" && sameMain(r.mod.Path, c.Main, m) {
					b = c
				}
			}
			if len(list) == 1 && len(r.in.Binaries) == 0 {
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
				list[0].Name, r.mod.Path, len(found), strings.Join(mains, ", "))
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
	o := project.Options{Platforms: r.in.Planned, Tags: r.in.Tags, Cgo: r.in.Cgo != gobuild.CgoOff}
	progs, notes, err := r.mod.Programs(o)
	for _, n := range notes {
		r.note(n.String())
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
func mainSetting(in Input, i int, main string) string {
	switch envMain := in.Mains; {
	case envMain == main:
		return setting.Name("KILN_MAIN").Is(main)
	case envMain != "":
		return setting.Name("KILN_MAIN").Is(envMain) + ": " + main
	case len(in.Binaries) > 0:
		return setting.Name(fmt.Sprintf("Config.Binaries[%d].Main", i)).Is(main)
	}
	return setting.Name("Config.Main").Is(main)
}

// packageDir is the directory of a package of the main module.
func (r *resolver) packageDir(imp string) (string, bool) {
	if imp == r.mod.Path {
		return r.mod.Dir, true
	}
	rel, ok := strings.CutPrefix(imp, r.mod.Path+"/")
	if !ok {
		return "", false
	}
	return filepath.Join(r.mod.Dir, filepath.FromSlash(rel)), true
}

func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// binary resolves one binary; it returns the bad values found.
func (r *resolver) binary(b Binary) (Bin, []string) {
	in := r.in
	imp, err := importPath(r.mod.Path, b.Main)
	if err != nil {
		return Bin{}, []string{err.Error()}
	}
	rows := r.rowsFor(imp, b.Name)
	name := b.Name
	if name == "" && len(rows) > 0 {
		name = rows[0].Program
	}
	bn := Bin{Name: cmp.Or(name, project.ShortName(imp)), Main: b.Main, ImportPath: imp,
		Tags:    append(slices.Clone(in.Tags), b.Tags...),
		LDFlags: append(slices.Clone(in.LDFlags), b.LDFlags...),
		Env:     append(slices.Clone(in.Env), b.Env...), VerifyArgs: b.VerifyArgs}
	var errs []string
	if err := CheckName(bn.Name); err != nil {
		errs = append(errs, fmt.Sprintf("binary name %q (main package %s): %v", bn.Name, b.Main, err))
	}
	// The binary's platforms of the whole planned matrix (shards agree on
	// them), then those of this run.
	var all []matrix.Platform
	switch {
	case b.Platforms != "":
		if all, err = r.selectPlanned(b.Platforms); err != nil {
			errs = append(errs, fmt.Sprintf("binary %s: Platforms %q: %v", bn.Name, b.Platforms, err))
		}
	case len(rows) > 0:
		all = slices.DeleteFunc(slices.Clone(in.Planned), func(pl matrix.Platform) bool { return rowFor(rows, pl) == nil })
	case r.found[imp] != nil:
		all = slices.DeleteFunc(slices.Clone(in.Planned), func(pl matrix.Platform) bool { return !slices.Contains(r.found[imp], pl) })
	default:
		all = in.Planned
	}
	bn.Platforms = slices.DeleteFunc(slices.Clone(all), func(pl matrix.Platform) bool { return !slices.Contains(in.Platforms, pl) })
	cgo, err := r.binaryCgo(bn.Name, string(b.Cgo))
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

// selectPlanned returns the planned platforms that sel names, in the
// plan's order.
func (r *resolver) selectPlanned(sel string) ([]matrix.Platform, error) {
	named, err := r.in.Select(sel)
	if err != nil {
		return nil, err
	}
	var ps []matrix.Platform
	for _, pl := range r.in.Planned {
		if slices.Contains(named, pl) {
			ps = append(ps, pl)
		}
	}
	return ps, nil
}
