package project

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// maxReadme bounds the bytes read from a README.
const maxReadme = 1 << 20

// goInstallRE matches `go install [flags] path@version` in prose, shell
// blocks and inline code.
var goInstallRE = regexp.MustCompile("go\\s+install\\s+(?:-[^\\s]+\\s+)*([^\\s@`'\"<>()]+)@[^\\s`'\"<>()]+")

// readmeFiles are the README names read, in order.
var readmeFiles = []string{"README.md", "README", "README.markdown", "README.rst", "README.txt", "README.adoc", "Readme.md", "readme.md"}

// InstallLines returns the module paths that `go install <path>@<version>`
// lines of text name, in order, each once.
func InstallLines(text string) []string {
	var out []string
	for _, m := range goInstallRE.FindAllStringSubmatch(text, -1) {
		p := strings.TrimRight(m[1], ".,;:")
		if strings.HasSuffix(m[1], "/...") {
			p = m[1]
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// readmePrograms are the programs the README's go install lines name.
func (m *Module) readmePrograms(o Options) ([]Program, []Note) {
	var file, text string
	for _, name := range readmeFiles {
		data, err := readLimited(filepath.Join(m.Dir, name), maxReadme)
		if err == nil {
			file, text = name, string(data)
			break
		}
	}
	if file == "" {
		return nil, nil
	}
	var progs []Program
	var notes []Note
	add := func(rel, line string, f found) {
		for _, p := range progs {
			if p.Main == rel {
				return
			}
		}
		name := ""
		if rel == "." {
			name = m.Name()
		}
		progs = append(progs, m.program(rel, name, fmt.Sprintf("%s: go install %s", file, line), f.platforms))
	}
	for _, p := range InstallLines(text) {
		if p != m.Path && !strings.HasPrefix(p, m.Path+"/") {
			continue // another module's tool
		}
		if under, ok := strings.CutSuffix(p, "/..."); ok {
			rel, _ := m.relDir(under)
			if under == m.Path {
				rel = "."
			}
			if rel == "" || !m.inModule(rel) {
				notes = append(notes, Note{file, fmt.Sprintf("go install %s: no such directory in this module; ignored", p)})
				continue
			}
			fs, _ := m.walkMains(rel, o)
			for _, f := range fs {
				add(f.rel, p, f)
			}
			continue
		}
		rel, _ := m.relDir(p)
		ps := []found(nil)
		if m.inModule(rel) {
			if pl := m.mainPlatforms(filepath.Join(m.Dir, filepath.FromSlash(rel)), o); len(pl) > 0 {
				ps = append(ps, found{rel, pl})
			}
		}
		if len(ps) == 0 {
			notes = append(notes, Note{file, fmt.Sprintf("go install %s: not a main package of this module for the planned platforms; ignored", p)})
			continue
		}
		add(rel, p, ps[0])
	}
	return progs, notes
}

// readLimited reads at most limit bytes of a regular file.
func readLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	return io.ReadAll(io.LimitReader(f, limit))
}
