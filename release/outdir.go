package release

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/safefile"
)

// markerName is the file that marks a directory as kiln's output: kiln
// writes into, and deletes, only directories that carry it (or a manifest).
const markerName = ".kiln-output"

// OutDirError refuses an output directory kiln must not write or delete.
type OutDirError struct {
	Path   string // as configured (KILN_OUT, Config.Out)
	Reason string
}

func (e *OutDirError) Error() string {
	return fmt.Sprintf("output directory %s: %s; set KILN_OUT or Config.Out to a directory of its own, such as dist", e.Path, e.Reason)
}

// forbidden says why a resolved directory can never be kiln's output: the
// module, a directory holding it, a repository, a module or magefiles.
func (p *Plan) forbidden(real string) string {
	realDir, err := filepath.EvalSymlinks(p.Dir)
	if err != nil {
		realDir = p.Dir
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
	for _, f := range []string{markerName, artifact.FileName} {
		if fi, err := os.Lstat(filepath.Join(dir, f)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// claimOut makes sure the output directory is one kiln may write: it
// creates it (with the marker), or takes an empty directory, or accepts
// one that carries the marker or a manifest. Anything else is refused.
func (p *Plan) claimOut() error {
	bad := func(reason string) error { return &OutDirError{Path: p.Out, Reason: reason} }
	fi, err := os.Stat(p.Out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(p.Out, 0o755); err != nil {
			return fmt.Errorf("create output directory: %w", err)
		}
	case err != nil:
		return fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return bad("it is a file kiln did not create")
	}
	real, err := filepath.EvalSymlinks(p.Out)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	if why := p.forbidden(real); why != "" {
		return bad(why)
	}
	if owned(real) {
		return nil
	}
	ents, err := os.ReadDir(real)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".kiln-") {
			continue // another kiln run is claiming it at this moment
		}
		return bad("it is not empty and kiln did not create it (no " + markerName + " or " + artifact.FileName + " in it)")
	}
	// Not atomicfile: its temporary name would not start with .kiln-.
	return os.WriteFile(filepath.Join(real, markerName), []byte("This directory is kiln's output; `mage clean` removes it.\n"), 0o644)
}

// acquire claims the output directory (claimOut) and takes its lock: what
// every stage that writes it does first.
func (p *Plan) acquire(ctx context.Context) (func(), error) {
	if err := p.claimOut(); err != nil {
		return nil, err
	}
	return p.lock(ctx)
}

// acquireManifest acquires the output directory and reads its manifest;
// the caller releases the lock.
func (p *Plan) acquireManifest(ctx context.Context) (*artifact.Manifest, func(), error) {
	unlock, err := p.acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	m, err := artifact.Load(p.Out)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return m, unlock, nil
}

// Clean removes the output directory that settings and the environment
// (KILN_OUT) name, when kiln created it: it must carry kiln's marker or
// manifest, and never is the module, a directory holding it, a repository,
// a module or magefiles (symlinks resolved first). It needs no main
// package, git or toolchain.
func Clean(ctx context.Context, s Settings, opts ...Option) error {
	o := newOptions(opts)
	dir, err := o.moduleDir()
	if err != nil {
		return err
	}
	p := &Plan{Dir: dir, w: o.w, LockWait: o.getenv("KILN_LOCK") != "fail"}
	p.Out = p.outDir(cmp.Or(strings.TrimSpace(o.getenv("KILN_OUT")), s.Out, "dist"))
	return p.clean(ctx)
}

func (p *Plan) clean(ctx context.Context) error {
	fi, err := os.Stat(p.Out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	if !fi.IsDir() {
		return &OutDirError{Path: p.Out, Reason: "it is a file kiln did not create; not removed"}
	}
	real, err := filepath.EvalSymlinks(p.Out)
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	if why := p.forbidden(real); why != "" {
		return &OutDirError{Path: p.Out, Reason: why + "; not removed"}
	}
	if !owned(real) {
		return &OutDirError{Path: p.Out, Reason: "kiln did not create it (no " + markerName + " or " + artifact.FileName + "); not removed"}
	}
	unlock, err := p.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.RemoveAll(real); err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	fmt.Fprintf(p.w, "removed %s\n", p.Out)
	return nil
}
