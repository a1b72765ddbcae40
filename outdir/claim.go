package outdir

import (
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

// Held is an output directory held by one run: claimed (kiln's to
// write), open as a safefile.Root, and locked. Everything the run writes
// in it goes through Root. Release it when the run ends.
type Held struct {
	Dir
	// Root is the output directory (symbolic links to it resolved once):
	// every write below it refuses links and special files.
	Root   *safefile.Root
	unlock func()
}

// Acquire claims the output directory (Claim), takes its lock and removes
// what runs that died left in it (sweep): what every stage that writes it
// does first. The caller calls Release.
func (d Dir) Acquire(ctx context.Context) (*Held, error) {
	r, err := d.Claim()
	if err != nil {
		return nil, err
	}
	unlock, err := d.lock(ctx, r)
	if err != nil {
		r.Close()
		return nil, err
	}
	h := &Held{Dir: d, Root: r, unlock: unlock}
	if err := h.sweep(); err != nil {
		h.Release()
		return nil, err
	}
	return h, nil
}

// AcquireManifest acquires the output directory (Acquire) and reads its
// manifest (empty when there is none yet); the caller calls Release. A
// manifest that cannot be read releases the directory.
func (d Dir) AcquireManifest(ctx context.Context) (*Held, *artifact.Manifest, error) {
	h, err := d.Acquire(ctx)
	if err != nil {
		return nil, nil, err
	}
	m, err := artifact.LoadIn(h.Root)
	if err != nil {
		h.Release()
		return nil, nil, err
	}
	return h, m, nil
}

// Release gives the lock up and closes the directory.
func (h *Held) Release() {
	h.unlock()
	h.Root.Close()
}

// notOwned is the reason a directory is not kiln's.
const notOwned = "kiln did not create it (no " + MarkerName + ", and no " + artifact.FileName + " that kiln wrote)"

// owns reports whether r is kiln's output directory: it carries the
// marker, a regular file, or a manifest that states kiln wrote it
// (artifact.Manifest.Kiln). A marker that is a link, a FIFO or anything
// but a regular file is an error naming it.
func owns(r *safefile.Root) (bool, error) {
	switch err := r.Regular(MarkerName); {
	case err == nil:
		return true, nil
	case !errors.Is(err, fs.ErrNotExist):
		return false, err
	}
	m, err := artifact.LoadIn(r)
	return err == nil && m.Kiln(), nil
}

// Claim makes sure the output directory is one kiln may write and opens
// it: it creates it (with the marker), or takes an empty directory, or
// accepts one that kiln owns (see MarkerName). Anything else is refused.
// The caller closes the Root.
func (d Dir) Claim() (*safefile.Root, error) {
	bad := func(reason string) error { return &Error{Path: d.Path, Reason: reason} }
	fi, err := os.Stat(d.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(d.Path, 0o755); err != nil {
			return nil, fmt.Errorf("create output directory: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("output directory: %w", err)
	case !fi.IsDir():
		return nil, bad("it is a file kiln did not create")
	}
	real, err := filepath.EvalSymlinks(d.Path)
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	if why := d.forbidden(real); why != "" {
		return nil, bad(why)
	}
	r, err := safefile.OpenRoot(real)
	if err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	if err := d.take(r); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// take accepts r when kiln owns it, or marks it as kiln's when it is empty
// (but for another run's files, which start with Prefix).
func (d Dir) take(r *safefile.Root) error {
	if ok, err := owns(r); ok || err != nil {
		if err != nil {
			return err
		}
		return ignoreSelf(r)
	}
	ents, err := r.ReadDir(".")
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), Prefix) {
			// Another run may have marked it since owns looked (and written
			// IgnoreName after its marker): then it is kiln's.
			if ok, err := owns(r); ok || err != nil {
				if err != nil {
					return err
				}
				return ignoreSelf(r)
			}
			return &Error{Path: d.Path, Reason: "it is not empty and " + notOwned}
		}
	}
	f, err := r.Create(MarkerName, 0o644)
	if errors.Is(err, fs.ErrExist) {
		// Another run marked it at this moment: it must be a marker now.
		_, err = owns(r)
		return err
	}
	if err != nil {
		return fmt.Errorf("mark the output directory: %w", err)
	}
	_, err = f.WriteString("This directory is kiln's output; `mage clean` removes it.\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return ignoreSelf(r)
}

// ignoreSelf writes IgnoreName into an output directory kiln owns, so that
// what kiln writes never makes the work tree dirty for Go's VCS stamping,
// unless something of that name is there already: an exclusive create
// through the Root, which follows no link and overwrites nothing.
func ignoreSelf(r *safefile.Root) error {
	f, err := r.Create(IgnoreName, 0o644)
	var link *safefile.SymlinkError
	if errors.Is(err, fs.ErrExist) || errors.As(err, &link) {
		return nil // the user's: neither changed nor followed
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
