package gobuild

import (
	"fmt"
	"go/build/constraint"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/kiln-build/kiln/pack/checksum"
)

// hashModules writes to h what the module files contribute to the output
// beyond the packages' sources, and returns their stats for the quick
// check:
//   - the go, toolchain and godebug lines of the main module's go.mod (the
//     language version of its packages and the binary's default GODEBUG),
//     and of go.work when a workspace is in effect;
//   - the whole go.mod of every module replaced by a directory (its go line
//     is the language version its packages compile with);
//   - default.pgo beside the main package (`go build` uses it for
//     profile-guided optimization unless -pgo says otherwise).
//
// Every dependency's go version and replacement come from `go list` (see
// hashSources); a module from the module cache is immutable, go.mod
// included.
func hashModules(h io.Writer, dir string, env []string, pkgs []pkg) ([]input, error) {
	var inputs []input
	mains := []string{}
	if gomod := findUp(dir, "go.mod"); gomod != "" {
		mains = append(mains, gomod)
	}
	var replaced []string
	for _, p := range pkgs {
		m := p.Module
		switch {
		case p.Standard || m == nil || m.GoMod == "":
		case m.Main:
			if !slices.Contains(mains, m.GoMod) {
				mains = append(mains, m.GoMod)
			}
		case m.Replace != nil && m.Replace.Version == "":
			if !slices.Contains(replaced, m.GoMod) {
				replaced = append(replaced, m.GoMod)
			}
		}
	}
	for _, f := range mains {
		if err := hashGoMod(h, f, rel(dir, f)); err != nil {
			return nil, err
		}
		inputs = append(inputs, statInput(f))
	}
	for _, f := range replaced {
		if err := hashFile(h, f, "replaced "+rel(dir, f)); err != nil {
			return nil, err
		}
		inputs = append(inputs, statInput(f))
	}
	work, candidates := goWork(dir, env)
	for _, c := range candidates {
		inputs = append(inputs, statInput(c))
	}
	if work != "" {
		if err := hashGoWork(h, work, rel(dir, work)); err != nil {
			return nil, err
		}
	}
	for _, p := range pkgs {
		if p.DepOnly || p.Standard {
			continue
		}
		pgo := filepath.Join(p.Dir, "default.pgo")
		in := statInput(pgo)
		if in.Size >= 0 {
			if err := hashFile(h, pgo, "pgo "+p.ImportPath); err != nil {
				return nil, err
			}
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// hashGoMod writes the lines of a main module's go.mod that change the
// output: go, toolchain and godebug.
func hashGoMod(h io.Writer, path, name string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f, err := modfile.Parse(path, data, nil)
	if err != nil {
		return err
	}
	hashDirectives(h, "gomod "+name, f.Go, f.Toolchain, f.Godebug)
	return nil
}

// hashGoWork writes the lines of go.work that change the output.
func hashGoWork(h io.Writer, path, name string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	f, err := modfile.ParseWork(path, data, nil)
	if err != nil {
		return err
	}
	hashDirectives(h, "gowork "+name, f.Go, f.Toolchain, f.Godebug)
	return nil
}

// hashDirectives writes a go.mod or go.work file's go, toolchain and
// godebug directives under a header line.
func hashDirectives(h io.Writer, header string, g *modfile.Go, tc *modfile.Toolchain, godebug []*modfile.Godebug) {
	fmt.Fprintf(h, "%s\n", header)
	if g != nil {
		fmt.Fprintf(h, "go %s\n", g.Version)
	}
	if tc != nil {
		fmt.Fprintf(h, "toolchain %s\n", tc.Name)
	}
	for _, d := range godebug {
		fmt.Fprintf(h, "godebug %s=%s\n", d.Key, d.Value)
	}
}

// goWork returns the go.work file in effect for dir under env ("" for
// none), as the go command finds it: GOWORK=off means none, another
// GOWORK value names the file, else the nearest go.work in dir or a
// parent. candidates are the files whose appearance or change would change
// the answer, for the quick check.
func goWork(dir string, env []string) (work string, candidates []string) {
	gowork := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "GOWORK="); ok {
			gowork = v
		}
	}
	switch gowork {
	case "off":
		return "", nil
	case "":
	default:
		return gowork, []string{gowork}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", nil
	}
	for d := abs; ; d = filepath.Dir(d) {
		f := filepath.Join(d, "go.work")
		candidates = append(candidates, f)
		if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
			return f, candidates
		}
		if filepath.Dir(d) == d {
			return "", candidates
		}
	}
}

// rel names path in the key relative to dir, so that the key does not
// depend on where the module is checked out.
func rel(dir, path string) string {
	absDir, err1 := filepath.Abs(dir)
	r, err2 := filepath.Rel(absDir, path)
	if err1 != nil || err2 != nil {
		return path
	}
	return filepath.ToSlash(r)
}

// findUp returns the nearest file name in dir or a parent, or "".
func findUp(dir, name string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, name)); err == nil && !fi.IsDir() {
			return filepath.Join(d, name)
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// hashConstraints writes what decides whether a Go file excluded by build
// constraints stays excluded: its name (GOOS/GOARCH suffixes) and its
// //go:build and // +build lines, not its body. Editing a magefile
// (//go:build mage) beside the program then does not relink it. A header
// with a block comment is hashed whole (constraints may follow one).
func hashConstraints(h io.Writer, path, name string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "ignored %s\n", name)
	var lines []string
	whole := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "package ") || line == "package" {
			break
		}
		lines = append(lines, line)
		whole = whole || line != "" && !strings.HasPrefix(line, "//")
	}
	for _, line := range lines {
		if whole || constraint.IsGoBuild(line) || constraint.IsPlusBuild(line) {
			fmt.Fprintf(h, "constraint %s\n", line)
		}
	}
	return nil
}

// hashFile writes "file NAME SHA256" of the file at path to h.
func hashFile(h io.Writer, path, name string) error {
	sum, _, err := checksum.File(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(h, "file %s %s\n", name, sum)
	return nil
}
