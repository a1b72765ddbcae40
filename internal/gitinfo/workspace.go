package gitinfo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"
)

// Sources are the files outside a module's own tree that reach its build:
// a go.work in effect and the local directories that go.work or go.mod
// puts in place of a module. A provenance must name them, because the
// commit alone does not hold them (unless they are tracked in the same
// repository).
type Sources struct {
	// GoWork is the go.work file the go command uses for the module
	// (GOWORK, or found in the module's directory or above it), relative to
	// the module's directory in slash form ("../go.work"); "" when none.
	GoWork string
	// GoWorkDigest is "sha256:<hex>" of the go.work file's bytes.
	GoWorkDigest string
	// GoWorkInRepo is true when the go.work file is tracked in the
	// module's git repository, so the commit holds it.
	GoWorkInRepo bool
	// Local lists the local directories, sorted by From, Module and Path.
	Local []LocalSource
}

// A LocalSource is a directory that provides a module to the build in
// place of a version from the module proxy.
type LocalSource struct {
	// From is the directive: "go.mod replace", "go.work replace" or
	// "go.work use".
	From string
	// Module is the module path the directory stands in for: the replaced
	// path, or for a use directive the directory's own module path.
	Module string
	// Path is the directory relative to the module's directory, in slash
	// form ("../fork"); a directive that names it by an absolute path keeps
	// that path, which, unlike a relative form, does not change with where
	// the module is checked out.
	Path string
	// Digest is DirDigest of the directory.
	Digest string
	// InRepo is true when the directory holds files tracked in the
	// module's git repository, so the commit holds them (and Status sees
	// their changes).
	InRepo bool
}

// Reproducible reports whether the module's commit alone holds every
// source of the build: no go.work outside the repository and no local
// directory outside it.
func (s *Sources) Reproducible() bool {
	if s.GoWork != "" && !s.GoWorkInRepo {
		return false
	}
	for _, l := range s.Local {
		if !l.InRepo {
			return false
		}
	}
	return true
}

// ReadSources finds the go.work that applies to the module in moduleDir
// (asking `go env GOWORK`, run in moduleDir with env, the environment of
// the build; nil means this process's) and the local directories that it
// and the module's go.mod use or put in place of modules. Every local
// replace is listed, whether or not the build needs that module: a
// directive in effect is a claim the provenance must not hide.
func ReadSources(ctx context.Context, moduleDir string, env []string) (*Sources, error) {
	dir, err := filepath.Abs(moduleDir)
	if err != nil {
		return nil, err
	}
	s := &Sources{}
	var errs []error
	// spelled[i] is true when the directive of s.Local[i] gave an
	// absolute path.
	var spelled []bool
	local := func(l LocalSource, directive string) {
		s.Local = append(s.Local, l)
		spelled = append(spelled, filepath.IsAbs(directive))
	}
	gomod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, fmt.Errorf("module sources: %w", err)
	}
	mf, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return nil, fmt.Errorf("module sources: %w", err)
	}
	for _, r := range mf.Replace {
		if r.New.Version == "" {
			local(LocalSource{From: "go.mod replace", Module: r.Old.Path, Path: resolve(dir, r.New.Path)}, r.New.Path)
		}
	}

	work, err := goWork(ctx, dir, env)
	if err != nil {
		return nil, err
	}
	if work != "" {
		data, err := os.ReadFile(work)
		if err != nil {
			return nil, fmt.Errorf("module sources: the go.work in effect (GOWORK): %w", err)
		}
		s.GoWork, s.GoWorkDigest = relTo(dir, work), digestBytes(data)
		wf, err := modfile.ParseWork(work, data, nil)
		if err != nil {
			return nil, fmt.Errorf("module sources: %w", err)
		}
		wdir := filepath.Dir(work)
		for _, u := range wf.Use {
			abs := resolve(wdir, u.Path)
			if same(abs, dir) {
				continue
			}
			path, err := modulePath(abs)
			if err != nil {
				errs = append(errs, fmt.Errorf("go.work use %s: %w", u.Path, err))
			}
			local(LocalSource{From: "go.work use", Module: path, Path: abs}, u.Path)
		}
		for _, r := range wf.Replace {
			if r.New.Version == "" {
				local(LocalSource{From: "go.work replace", Module: r.Old.Path, Path: resolve(wdir, r.New.Path)}, r.New.Path)
			}
		}
	}

	top, _ := Toplevel(ctx, dir)
	if s.GoWork != "" && top != "" {
		s.GoWorkInRepo = tracked(ctx, top, work)
	}
	for i := range s.Local {
		l := &s.Local[i]
		if l.Digest, err = DirDigest(l.Path); err != nil {
			errs = append(errs, fmt.Errorf("%s %s => %s: %w", l.From, l.Module, l.Path, err))
		}
		if top != "" {
			l.InRepo = tracked(ctx, top, l.Path)
		}
		if spelled[i] {
			l.Path = filepath.ToSlash(l.Path)
		} else {
			l.Path = relTo(dir, l.Path)
		}
	}
	slices.SortFunc(s.Local, func(a, b LocalSource) int {
		return strings.Compare(a.From+"\x00"+a.Module+"\x00"+a.Path, b.From+"\x00"+b.Module+"\x00"+b.Path)
	})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("module sources:\n  %w", err)
	}
	return s, nil
}

// goWork returns the absolute go.work path the go command uses in dir, or
// "" for none (GOWORK=off, or no go.work found).
func goWork(ctx context.Context, dir string, env []string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOWORK")
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("module sources: go env GOWORK: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	work := strings.TrimSpace(string(out))
	if work == "" || work == "off" {
		return "", nil
	}
	if !filepath.IsAbs(work) {
		work = filepath.Join(dir, work)
	}
	return work, nil
}

// resolve is a directive's path, relative to the file's directory unless
// absolute.
func resolve(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, filepath.FromSlash(p))
}

// relTo is p relative to dir in slash form (p itself when it has none).
func relTo(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.ToSlash(p)
}

// same reports whether a and b name the same directory.
func same(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// modulePath reads the module path from dir/go.mod.
func modulePath(dir string) (string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	if p := modfile.ModulePath(data); p != "" {
		return p, nil
	}
	return "", fmt.Errorf("%s has no module line", filepath.Join(dir, "go.mod"))
}

// tracked reports whether git tracks p (a file, or files below a
// directory) in the repository whose top is top.
func tracked(ctx context.Context, top, p string) bool {
	rel, err := filepath.Rel(top, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false
	}
	out, err := Git(ctx, top, "--literal-pathspecs", "ls-files", "-z", "--", rel)
	return err == nil && out != ""
}
