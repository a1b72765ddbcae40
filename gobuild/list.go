package gobuild

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// pkg is the part of `go list -json` output the engine needs.
type pkg struct {
	ImportPath string
	Dir        string
	Standard   bool
	Module     *struct {
		Path, Version string
		Replace       *struct{ Path, Version string }
	}
	GoFiles, CgoFiles, IgnoredGoFiles, CFiles, CXXFiles, HFiles, SFiles, SysoFiles, EmbedFiles []string
}

var listFields = "-json=ImportPath,Dir,Standard,Module,GoFiles,CgoFiles,IgnoredGoFiles,CFiles,CXXFiles,HFiles,SFiles,SysoFiles,EmbedFiles"

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
// contribute to the output: module path@version for immutable modules from
// the module cache, file names and contents for everything else (the main
// module, replaced directories, GOPATH, vendor).
// It returns the stats of every file hashed and of the package
// directories, for the stamp's quick check.
func hashSources(h io.Writer, pkgs []pkg) ([]input, error) {
	var inputs []input
	for _, p := range pkgs {
		if p.Standard {
			continue // covered by the Go version
		}
		fmt.Fprintf(h, "pkg %s\n", p.ImportPath)
		if m := p.Module; m != nil && m.Version != "" && m.Replace == nil && !strings.Contains(p.Dir, string(filepath.Separator)+"vendor"+string(filepath.Separator)) {
			fmt.Fprintf(h, "mod %s@%s\n", m.Path, m.Version)
			continue
		}
		if m := p.Module; m != nil && m.Replace != nil && m.Replace.Version != "" {
			fmt.Fprintf(h, "mod %s@%s\n", m.Replace.Path, m.Replace.Version)
			continue
		}
		var files []string
		for _, list := range [][]string{p.GoFiles, p.CgoFiles, p.IgnoredGoFiles, p.CFiles, p.CXXFiles, p.HFiles, p.SFiles, p.SysoFiles, p.EmbedFiles} {
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

func hashFile(h io.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fh := sha256.New()
	if _, err := io.Copy(fh, f); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	fmt.Fprintf(h, "file %s %x\n", name, fh.Sum(nil))
	return nil
}
