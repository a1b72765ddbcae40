package outdir

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kiln-build/kiln/internal/safefile"
)

// Clean removes the output directory when kiln created it: it must carry
// kiln's marker or a manifest kiln wrote (see MarkerName), and never is
// the module, a directory holding it, a repository, a module or magefiles
// (symlinks resolved first). Its entries are removed through a Root, so a
// link inside is removed itself, never followed. A missing directory is
// not an error.
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
	r, err := safefile.OpenRoot(real)
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	defer r.Close()
	switch ok, err := owns(r); {
	case err != nil:
		return fmt.Errorf("clean: %s not removed: %w", d.Path, err)
	case !ok:
		return &Error{Path: d.Path, Reason: notOwned + "; not removed"}
	}
	unlock, err := d.lock(ctx, r)
	if err != nil {
		return err
	}
	defer unlock()
	ents, err := r.ReadDir(".")
	if err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	var errs []error
	for _, e := range ents {
		errs = append(errs, r.RemoveAll(e.Name()))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	if err := os.Remove(real); err != nil {
		return fmt.Errorf("clean: %w", err)
	}
	d.logf("removed %s\n", d.Path)
	return nil
}
