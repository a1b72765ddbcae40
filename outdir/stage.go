package outdir

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/errlist"
)

// leftovers are the name prefixes of what a run that died can leave in the
// output directory: its staging directories and a temporary manifest
// (safefile.Root.WriteAtomic's name for it).
var leftovers = []string{Prefix + "stage-", Prefix + "merge-", "." + artifact.FileName + ".tmp-"}

// sweep removes what runs that died (SIGKILL, a crash, a power cut) left
// in the output directory, saying so. Only a run holding the lock sweeps,
// and every run that stages holds the lock until its staging is gone, so
// whatever is left belongs to no live run. A link there is removed
// itself, never followed.
func (h *Held) sweep() error {
	ents, err := h.Root.ReadDir(".")
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	var errs []error
	for _, e := range ents {
		if !slices.ContainsFunc(leftovers, func(p string) bool { return strings.HasPrefix(e.Name(), p) }) {
			continue
		}
		if err := h.Root.RemoveAll(e.Name()); err != nil {
			errs = append(errs, fmt.Errorf("remove %s, left by a kiln run that did not finish: %w", h.Root.Path(e.Name()), err))
			continue
		}
		h.logf("removed %s, left by a kiln run that did not finish\n", h.Shown(h.Root.Path(e.Name())))
	}
	return errors.Join(errs...)
}

// Stage makes a new staging directory for a stage's files ("stage",
// "merge") inside the output directory and returns its path relative to
// it; the caller removes it (Root.RemoveAll). The directory is new, made
// without following links and private (0700), so tools that write by
// path (Root.Path) write files of this run only.
func (h *Held) Stage(what string) (string, error) {
	rel, err := h.Root.MkdirTemp(".", Prefix+what+"-*")
	if err != nil {
		return "", fmt.Errorf("staging directory: %w", err)
	}
	return rel, nil
}

// Replaceable checks that kiln may put a file of its own at rel: nothing
// is there, or a regular file (which a rename replaces). A symbolic link
// anywhere on the way, a directory, a FIFO or a device is refused, naming
// the entry and what to do; nothing is opened.
func (h *Held) Replaceable(rel string) error {
	if err := h.Root.Regular(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Check is Replaceable for every rel, all refusals joined.
func (h *Held) Check(rels ...string) error {
	var errs []error
	for _, rel := range rels {
		errs = append(errs, h.Replaceable(rel))
	}
	return errors.Join(errs...)
}

// Prepare readies the output directory for a tool that writes files by
// path (rels, slash-separated, relative), just before it writes them: it
// makes each file's directory through Root, once, and checks each file
// (Replaceable), so a link, a FIFO or a device in place of any of them is
// refused, each named. A file whose directory could not be made is not
// checked: that failure names it. All refusals are listed under "<what>:
// refusing to write into <the directory>".
func (h *Held) Prepare(what string, rels ...string) error {
	var errs *multierror.Error
	made := map[string]error{}
	for _, rel := range rels {
		dir := path.Dir(rel)
		err, tried := made[dir]
		if !tried && dir != "." {
			err = h.Root.MkdirAll(dir, 0o755)
			made[dir] = err
			if err != nil {
				errs = multierror.Append(errs, err)
			}
		}
		if err != nil {
			continue
		}
		if err := h.Replaceable(rel); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if errs != nil {
		errs.ErrorFormat = func(es []error) string { return errlist.Listed(what+": refusing to write into "+h.Name(), es) }
	}
	return errs.ErrorOrNil()
}

// Commit moves the files at rels (slash-separated, relative) from the
// staging directory stage (as Stage returned it) into the output
// directory, making their directories, each through the Root. Every
// destination is checked first (Check), so a link or a special file where
// a file goes refuses the commit before anything moves. On a failure it
// removes what it moved; otherwise it returns the files moved, for Undo.
func (h *Held) Commit(stage string, rels []string) ([]string, error) {
	if err := h.Check(rels...); err != nil {
		return nil, err
	}
	var moved []string
	for _, rel := range rels {
		var err error
		if dir := path.Dir(rel); dir != "." {
			err = h.Root.MkdirAll(dir, 0o755)
		}
		if err == nil {
			err = h.Replaceable(rel)
		}
		if err == nil {
			err = h.Root.Rename(path.Join(stage, rel), rel)
		}
		if err != nil {
			h.Undo(moved)
			return nil, err
		}
		moved = append(moved, rel)
	}
	return moved, nil
}

// Undo removes the files a Commit moved, when a later step fails.
func (h *Held) Undo(moved []string) {
	for _, rel := range moved {
		h.Root.Remove(rel)
	}
}
