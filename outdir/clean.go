package outdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Acquire claims the output directory (Claim) and takes its lock (Lock):
// what every stage that writes it does first. The caller calls the
// returned function to release the lock.
func (d Dir) Acquire(ctx context.Context) (func(), error) {
	if err := d.Claim(); err != nil {
		return nil, err
	}
	return d.Lock(ctx)
}

// Clean removes the output directory when kiln created it: it must carry
// kiln's marker or manifest (see MarkerName), and never is the module, a directory holding
// it, a repository, a module or magefiles (symlinks resolved first). A
// missing directory is not an error.
func (d Dir) Clean(ctx context.Context) error {
	fi, err := os.Stat(d.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	if !fi.IsDir() {
		return &Error{Path: d.Path, Reason: "it is a file kiln did not create; not removed"}
	}
	real, err := filepath.EvalSymlinks(d.Path)
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	if why := d.forbidden(real); why != "" {
		return &Error{Path: d.Path, Reason: why + "; not removed"}
	}
	if !owned(real) {
		return &Error{Path: d.Path, Reason: notOwned + "; not removed"}
	}
	unlock, err := d.Lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if err := os.RemoveAll(real); err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	d.logf("removed %s\n", d.Path)
	return nil
}
