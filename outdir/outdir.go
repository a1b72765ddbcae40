// Package outdir owns kiln's output directory: where it is (KILN_OUT,
// Config.Out, "dist"), whether kiln may write or delete it (its marker),
// the lock that lets one run write it at a time, the staging directories
// a stage fills before it commits, and clean. Every ".kiln-*" name is here.
package outdir

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/safefile"
)

const (
	// Default is the output directory when neither KILN_OUT nor
	// Config.Out names one, relative to the module root.
	Default = "dist"
	// Prefix starts the name of every file kiln keeps for itself in the
	// output directory; the archives and manifests never start with it.
	Prefix = ".kiln-"
	// MarkerName is the file that marks a directory as kiln's output: kiln
	// writes into, and deletes, only directories that carry it (or a
	// manifest).
	MarkerName = Prefix + "output"
	// LockName is the lock file in the output directory.
	LockName = Prefix + "lock"
	// IgnoreName is the file that makes git ignore the output directory
	// (IgnoreText: every name in it, itself included), so that kiln's
	// output never makes a work tree look modified: Go's VCS stamping
	// and kiln's clean check see the tree as it was committed.
	IgnoreName = ".gitignore"
	// IgnoreText is what kiln writes into IgnoreName.
	IgnoreText = "# kiln's output directory: git ignores all of it (`mage clean` removes it).\n*\n"
)

// Dir is an output directory of a module.
type Dir struct {
	// Path is the output directory (absolute); Module the module root.
	Path, Module string
	// Wait: a second run on the same directory waits for the first
	// (KILN_LOCK=wait, the default) instead of failing at once
	// (KILN_LOCK=fail).
	Wait bool
	// Log receives the progress lines (waiting for a lock, removed); nil:
	// none.
	Log func(format string, args ...any)
}

// Resolve names a module's output directory from the configured one (""
// for the default) and the environment: KILN_OUT wins, relative paths are
// relative to module, and KILN_LOCK says whether to wait for a lock.
func Resolve(module, configured string, getenv func(string) string) (Dir, error) {
	d := Dir{Module: module, Path: Abs(module, cmp.Or(strings.TrimSpace(getenv("KILN_OUT")), configured, Default))}
	switch v := strings.TrimSpace(getenv("KILN_LOCK")); v {
	case "", "wait":
		d.Wait = true
	case "fail":
	default:
		return d, fmt.Errorf("KILN_LOCK=%q: want wait (default: wait for another run on the same output directory) or fail", v)
	}
	return d, nil
}

// Abs is the absolute output directory for a configured one, relative to
// the module root.
func Abs(module, out string) string {
	if filepath.IsAbs(out) {
		return filepath.Clean(out)
	}
	return filepath.Join(module, out)
}

// Name is the directory as the user knows it: relative to the module when
// it is inside.
func (d Dir) Name() string { return d.Shown(d.Path) }

// Shown is a path as the user knows it: relative to the module when it is
// inside.
func (d Dir) Shown(path string) string {
	if r, err := filepath.Rel(d.Module, path); err == nil && filepath.IsLocal(r) {
		return r
	}
	return path
}

// Rel is a path under the directory as the manifest writes it.
func (d Dir) Rel(path string) string {
	r, err := filepath.Rel(d.Path, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}

func (d Dir) logf(format string, args ...any) {
	if d.Log != nil {
		d.Log(format, args...)
	}
}

// Error refuses an output directory kiln must not write or delete.
type Error struct {
	Path   string // as configured (KILN_OUT, Config.Out)
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("output directory %s: %s; set KILN_OUT or Config.Out to a directory of its own, such as dist", e.Path, e.Reason)
}

// forbidden says why a resolved directory can never be kiln's output: the
// module, a directory holding it, a repository, a module or magefiles.
func (d Dir) forbidden(real string) string {
	realDir, err := filepath.EvalSymlinks(d.Module)
	if err != nil {
		realDir = d.Module
	}
	switch base := filepath.Base(real); {
	case safefile.Inside(real, realDir):
		return "it is the module or holds it (" + realDir + ")"
	case base == ".git" || base == "magefiles":
		return "it is " + base
	}
	for _, f := range []string{"go.mod", ".git", "magefiles"} {
		if _, err := os.Lstat(filepath.Join(real, f)); err == nil {
			return "it holds " + f
		}
	}
	return ""
}

// owned reports whether the directory carries kiln's marker or manifest.
func owned(dir string) bool {
	for _, f := range []string{MarkerName, artifact.FileName} {
		if fi, err := os.Lstat(filepath.Join(dir, f)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// Claim makes sure the output directory is one kiln may write: it creates
// it (with the marker), or takes an empty directory, or accepts one that
// carries the marker or a manifest. Anything else is refused.
func (d Dir) Claim() error {
	bad := func(reason string) error { return &Error{Path: d.Path, Reason: reason} }
	fi, err := os.Stat(d.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(d.Path, 0o755); err != nil {
			return fmt.Errorf("create output directory: %w", err)
		}
	case err != nil:
		return fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return bad("it is a file kiln did not create")
	}
	real, err := filepath.EvalSymlinks(d.Path)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if why := d.forbidden(real); why != "" {
		return bad(why)
	}
	if owned(real) {
		return ignoreSelf(real)
	}
	ents, err := os.ReadDir(real)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), Prefix) {
			continue // another kiln run is claiming it at this moment
		}
		return bad("it is not empty and kiln did not create it (no " + MarkerName + " or " + artifact.FileName + " in it)")
	}
	// Not atomicfile: its temporary name would not start with Prefix.
	if err := os.WriteFile(filepath.Join(real, MarkerName), []byte("This directory is kiln's output; `mage clean` removes it.\n"), 0o644); err != nil {
		return err
	}
	return ignoreSelf(real)
}

// ignoreSelf writes IgnoreName into an output directory kiln owns, unless
// a file (or anything else) of that name is there already: an exclusive
// create, which follows no symlink and overwrites nothing.
func ignoreSelf(dir string) error {
	f, err := os.OpenFile(filepath.Join(dir, IgnoreName), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	_, err = f.WriteString(IgnoreText)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	return nil
}

// Stage makes a new staging directory for a stage's files ("stage",
// "merge") inside the output directory, for a run holding the lock; the
// caller removes it.
func (d Dir) Stage(what string) (string, error) {
	return os.MkdirTemp(d.Path, Prefix+what+"-")
}

// Commit moves the files at rels (slash-separated, relative) from the
// staging directory stage into the output directory, making their
// directories. On a failure it removes what it moved; otherwise it returns
// the files moved, for Undo.
func (d Dir) Commit(stage string, rels []string) ([]string, error) {
	var moved []string
	for _, rel := range rels {
		dst := filepath.Join(d.Path, filepath.FromSlash(rel))
		err := os.MkdirAll(filepath.Dir(dst), 0o755)
		if err == nil {
			err = os.Rename(filepath.Join(stage, filepath.FromSlash(rel)), dst)
		}
		if err != nil {
			Undo(moved)
			return nil, err
		}
		moved = append(moved, dst)
	}
	return moved, nil
}

// Undo removes the files a Commit moved, when a later step fails.
func Undo(moved []string) {
	for _, f := range moved {
		os.Remove(f)
	}
}
