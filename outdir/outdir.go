// Package outdir owns kiln's output directory: where it is (KILN_OUT,
// Config.Out, "dist"), whether kiln may write or delete it (its marker),
// the lock that lets one run write it at a time, the staging a stage fills
// and commits (Staging: its files described, moved into place with the
// checksums file over them and the manifest, or all taken back), the
// places a tool writes by path made ready (Held.Prepare), and clean. Every ".kiln-*" name is here.
//
// One rule holds for every path kiln writes inside the directory: no
// component is a symbolic link and nothing is reached through one. A run
// holds the directory as a safefile.Root (Held) and writes only through
// it; a link, a FIFO or a device where kiln writes is refused, naming the
// entry and what to do, and nothing outside the directory is touched.
package outdir

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/internal/setting"
)

const (
	// Default is the output directory when neither KILN_OUT nor
	// Config.Out names one, relative to the module root.
	Default = "dist"
	// Prefix starts the name of every file kiln keeps for itself in the
	// output directory; the archives and manifests never start with it.
	Prefix = ".kiln-"
	// MarkerName is the file that marks a directory as kiln's output: kiln
	// writes into, and deletes, only directories that carry it (a regular
	// file) or a manifest that kiln can read and that states kiln wrote it
	// (artifact.Manifest.Kiln); a file name alone never makes a directory
	// kiln's.
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
	r := &setting.Reader{Getenv: getenv}
	d := Dir{Module: module, Path: Abs(module, cmp.Or(r.Env("KILN_OUT"), configured, Default))}
	d.Wait = r.OneOf("KILN_LOCK", r.Env("KILN_LOCK"), "wait", "wait (default: wait for another run on the same output directory) or fail", "wait", "fail") == "wait"
	if len(r.Errs) > 0 {
		return d, errors.New(r.Errs[0])
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
