package gobuild

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// pkg is the part of `go list -json` output the engine needs.
type pkg struct {
	ImportPath                                                                                 string
	Name                                                                                       string
	Dir                                                                                        string
	Standard                                                                                   bool
	DepOnly                                                                                    bool
	DefaultGODEBUG                                                                             string
	Module                                                                                     *module
	GoFiles, CgoFiles, IgnoredGoFiles, CFiles, CXXFiles, HFiles, SFiles, SysoFiles, EmbedFiles []string
}

// module is a package's module as `go list` reports it.
type module struct {
	Path, Version, GoMod, GoVersion string
	Main                            bool
	Replace                         *struct{ Path, Version, GoMod string }
}

var listFields = "-json=ImportPath,Name,Dir,Standard,DepOnly,DefaultGODEBUG,Module,GoFiles,CgoFiles,IgnoredGoFiles,CFiles,CXXFiles,HFiles,SFiles,SysoFiles,EmbedFiles"

// listDeps runs `go list -deps` for the main package under env (which
// enables cgo, so that packages needing it show their CgoFiles).
func (e *Engine) listDeps(ctx context.Context, s Spec, env []string) ([]pkg, error) {
	args := []string{"list", "-deps", listFields}
	if len(s.Tags) > 0 {
		args = append(args, "-tags", strings.Join(s.Tags, ","))
	}
	args = append(args, s.Main)
	out, err := e.run(ctx, s.Dir, env, args...)
	if err != nil {
		return nil, err
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// cgoPackages returns the non-standard packages that have cgo files.
func cgoPackages(pkgs []pkg) []string {
	var out []string
	for _, p := range pkgs {
		if !p.Standard && len(p.CgoFiles) > 0 {
			out = append(out, p.ImportPath)
		}
	}
	return out
}

// hashSources writes to h what the sources of the non-standard packages
// contribute to the output: each package's module (path, version, go
// version, replacement: all of them reach the binary), file names and
// contents unless the module comes immutable from the module cache (the
// main module, replaced directories, GOPATH, vendor). Of a file excluded by
// build constraints only what decides its exclusion is hashed.
// It returns the stats of every file hashed and of the package
// directories, for the stamp's quick check.
func hashSources(h io.Writer, pkgs []pkg) ([]input, error) {
	var inputs []input
	for _, p := range pkgs {
		if p.Standard {
			continue // covered by the Go version
		}
		fmt.Fprintf(h, "pkg %s %s\n", p.ImportPath, p.Name)
		if p.DefaultGODEBUG != "" {
			fmt.Fprintf(h, "godebug %s\n", p.DefaultGODEBUG)
		}
		m := p.Module
		if m != nil {
			fmt.Fprintf(h, "mod %s@%s go %s", m.Path, m.Version, m.GoVersion)
			if m.Replace != nil {
				fmt.Fprintf(h, " => %s@%s", m.Replace.Path, m.Replace.Version)
			}
			fmt.Fprintln(h)
		}
		if m != nil && m.Version != "" && m.Replace == nil && !strings.Contains(p.Dir, string(filepath.Separator)+"vendor"+string(filepath.Separator)) {
			continue
		}
		if m != nil && m.Replace != nil && m.Replace.Version != "" {
			continue
		}
		var files []string
		for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.CFiles, p.CXXFiles, p.HFiles, p.SFiles, p.SysoFiles, p.EmbedFiles} {
			files = append(files, list...)
		}
		sort.Strings(files)
		dirs := map[string]bool{p.Dir: true}
		inputs = append(inputs, statInput(p.Dir))
		for _, f := range files {
			path := filepath.Join(p.Dir, f)
			if d := filepath.Dir(path); !dirs[d] { // an embedded file's directory
				dirs[d] = true
				inputs = append(inputs, statInput(d))
			}
			in := statInput(path)
			if err := hashFile(h, path, f); err != nil {
				return nil, err
			}
			inputs = append(inputs, in)
		}
		for _, f := range p.IgnoredGoFiles {
			path := filepath.Join(p.Dir, f)
			in := statInput(path)
			if err := hashConstraints(h, path, f); err != nil {
				return nil, err
			}
			inputs = append(inputs, in)
		}
		for _, root := range embedRoots(p) {
			inputs = append(inputs, treeInput(root))
		}
	}
	return inputs, nil
}

// embedRoots returns the top directories (below the package directory) of
// the package's embedded files.
func embedRoots(p pkg) []string {
	var roots []string
	for _, f := range p.EmbedFiles {
		if top, _, ok := strings.Cut(filepath.ToSlash(f), "/"); ok {
			if root := filepath.Join(p.Dir, top); !slices.Contains(roots, root) {
				roots = append(roots, root)
			}
		}
	}
	return roots
}

// NotMainError reports a Main that names a package other than main: go
// build would write an archive of it instead of a program.
type NotMainError struct {
	Main string // the spec's Main
	Name string // the package's name
}

func (e *NotMainError) Error() string {
	return fmt.Sprintf("%s is package %s, not a main package: point Main/KILN_MAIN at a package main", e.Main, e.Name)
}

// checkMain fails unless every package named by s.Main is package main.
func checkMain(s Spec, pkgs []pkg) error {
	for _, p := range pkgs {
		if !p.DepOnly && p.Name != "main" {
			return &NotMainError{Main: s.Main, Name: p.Name}
		}
	}
	return nil
}
