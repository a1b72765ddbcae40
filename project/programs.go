package project

import (
	"cmp"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// Program is one program the module ships.
type Program struct {
	// Name is the binary's name, without ".exe".
	Name string
	// Main is the main package's directory relative to the module root:
	// "." or "./cmd/tool".
	Main string
	// ImportPath is the main package's import path.
	ImportPath string
	// Reason says which rule or statement chose it.
	Reason string
	// Builds are the indexes in Module.Release.Builds that build it
	// (release-config programs only), in file order.
	Builds []int
	// Platforms are the planned platforms for which it is package main.
	Platforms []matrix.Platform
}

// ChoiceError reports a module with several programs and nothing to say
// which ship.
type ChoiceError struct {
	Module     string
	Candidates []string // "./tools/a", …
}

func (e *ChoiceError) Error() string {
	lit := make([]string, len(e.Candidates))
	for i, c := range e.Candidates {
		lit[i] = fmt.Sprintf("{Main: %q}", c)
	}
	return fmt.Sprintf("module %s has %d main packages outside cmd/: %s; pick the programs to ship in your magefile's init():\n  targets.Config.Binaries = []targets.Binary{%s}\nor set KILN_MAIN=%s",
		e.Module, len(e.Candidates), strings.Join(e.Candidates, ", "), strings.Join(lit, ", "), strings.Join(e.Candidates, ","))
}

// NoProgramError reports a module without any program for the planned
// platforms.
type NoProgramError struct{ Module string }

func (e *NoProgramError) Error() string {
	return fmt.Sprintf("module %s has no main package for the planned platforms: nothing to build (set Config.Main or KILN_MAIN)", e.Module)
}

// Programs returns the programs the module ships under o, by the first
// source that names them: the release config's Go builds, the README's
// go install lines, the module's structure (see the package doc).
func (m *Module) Programs(o Options) ([]Program, []Note, error) {
	var notes []Note
	if m.Release != nil {
		progs, n := m.releasePrograms(o)
		notes = append(notes, n...)
		if len(progs) > 0 {
			return progs, notes, nil
		}
	}
	progs, n := m.readmePrograms(o)
	notes = append(notes, n...)
	if len(progs) > 0 {
		return progs, notes, nil
	}
	progs, n, err := m.structuralPrograms(o)
	return progs, append(notes, n...), err
}

// program makes the Program of a main directory.
func (m *Module) program(rel, name, reason string, ps []matrix.Platform) Program {
	imp := m.importPath(rel)
	if name == "" {
		name = ShortName(imp)
	}
	return Program{Name: name, Main: rel, ImportPath: imp, Reason: reason, Platforms: ps}
}

// releasePrograms are the programs of the release config's Go builds.
func (m *Module) releasePrograms(o Options) ([]Program, []Note) {
	c := m.Release
	var progs []Program
	var notes []Note
	for i, b := range c.Builds {
		where := fmt.Sprintf("%s builds[%d]", c.File, i)
		if b.ID != "" {
			where += " (id " + b.ID + ")"
		}
		if !b.IsGo() {
			notes = append(notes, Note{where, fmt.Sprintf("builder %q: kiln builds Go only; left out", b.Builder)})
			continue
		}
		if skip, err := b.Skipped(); err != nil || skip {
			if err != nil {
				notes = append(notes, Note{where, fmt.Sprintf("skip: %v; left out", err)})
			}
			continue
		}
		rel, err := m.mainDir(path.Join(cmp.Or(b.Dir, "."), cmp.Or(b.Main, ".")))
		if err != nil {
			notes = append(notes, Note{where, fmt.Sprintf("%v; left out", err)})
			continue
		}
		if b.Dir != "" && b.Dir != "." && !m.inModule(strings.TrimPrefix(path.Clean(b.Dir), "./")) {
			notes = append(notes, Note{where, fmt.Sprintf("dir %q is not a directory of this module (made by a hook, or a module of its own); left out", b.Dir)})
			continue
		}
		if !m.inModule(rel) {
			notes = append(notes, Note{where, fmt.Sprintf("main %s is not a directory of this module; left out", rel)})
			continue
		}
		ps := m.mainPlatforms(filepath.Join(m.Dir, filepath.FromSlash(rel)), o)
		if len(ps) == 0 {
			notes = append(notes, Note{where, fmt.Sprintf("main %s is not package main for the planned platforms; left out", rel)})
			continue
		}
		own, _ := b.Platforms()
		ps = coveredPlatforms(own, ps)
		if len(ps) == 0 {
			notes = append(notes, Note{where, fmt.Sprintf("builds only for %s, none of the planned platforms; left out", platformList(own))})
			continue
		}
		name, note := c.binaryName(b, m.Name())
		if note != "" {
			notes = append(notes, Note{where, note})
		}
		if name == "" {
			name = ShortName(m.importPath(rel))
		}
		if j := slices.IndexFunc(progs, func(p Program) bool { return p.Main == rel && p.Name == name }); j >= 0 {
			progs[j].Builds = append(progs[j].Builds, i)
			for _, p := range ps {
				if !slices.Contains(progs[j].Platforms, p) {
					progs[j].Platforms = append(progs[j].Platforms, p)
				}
			}
			continue
		}
		p := m.program(rel, name, fmt.Sprintf("%s names it", where), ps)
		p.Builds = []int{i}
		progs = append(progs, p)
	}
	if len(progs) == 0 && len(c.Builds) > 0 {
		notes = append(notes, Note{c.File, "no Go build of this file names a program kiln can build here; kiln finds the programs itself"})
	}
	return progs, notes
}

// structuralPrograms applies the structural rule.
func (m *Module) structuralPrograms(o Options) ([]Program, []Note, error) {
	if ps := m.mainPlatforms(m.Dir, o); len(ps) > 0 {
		return []Program{m.program(".", m.Name(), "the module root is package main", ps)}, nil, nil
	}
	var progs []Program
	ents, _ := os.ReadDir(filepath.Join(m.Dir, "cmd"))
	for _, e := range ents {
		d := filepath.Join(m.Dir, "cmd", e.Name())
		if !e.IsDir() || m.skipDir(d) {
			continue
		}
		if ps := m.mainPlatforms(d, o); len(ps) > 0 {
			progs = append(progs, m.program("./cmd/"+e.Name(), e.Name(), "a main package under cmd/", ps))
		}
	}
	var notes []Note
	if len(progs) > 1 {
		names := make([]string, len(progs))
		for i, p := range progs {
			names[i] = p.Name
		}
		notes = append(notes, Note{"cmd/", fmt.Sprintf("no release config or README go install line names the programs, so every main package under cmd/ ships: %s; to ship fewer, list them in Config.Binaries", strings.Join(names, ", "))})
	}
	if len(progs) > 0 {
		return progs, notes, nil
	}
	all, capped := m.walkMains(".", o)
	if capped {
		notes = append(notes, Note{"", fmt.Sprintf("the module has more than %d files; the search for main packages stopped there", maxFiles)})
	}
	switch len(all) {
	case 0:
		return nil, notes, &NoProgramError{Module: m.Path}
	case 1:
		return []Program{m.program(all[0].rel, "", "the module's only main package", all[0].platforms)}, notes, nil
	}
	cands := make([]string, len(all))
	for i, f := range all {
		cands[i] = f.rel
	}
	return nil, notes, &ChoiceError{Module: m.Path, Candidates: cands}
}

// platformList spells platforms for a note, the first few and a count.
func platformList(ps []matrix.Platform) string {
	var s []string
	for i, p := range ps {
		if i == 6 {
			s = append(s, fmt.Sprintf("and %d more", len(ps)-i))
			break
		}
		s = append(s, p.String())
	}
	if len(s) == 0 {
		return "no platform"
	}
	return strings.Join(s, ", ")
}
