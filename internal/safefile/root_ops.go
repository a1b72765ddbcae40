package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
)

// CreateTemp creates a new file in the directory dirRel ("." for the root)
// exclusively and no-follow, named by pattern as os.CreateTemp names it
// (the last "*" replaced by a random number), and returns it with its path
// relative to the root. The directory is created when missing.
func (r *Root) CreateTemp(dirRel, pattern string, perm fs.FileMode) (*os.File, string, error) {
	if err := checkDirRel(dirRel); err != nil {
		return nil, "", &fs.PathError{Op: "createtemp", Path: r.Path(dirRel), Err: err}
	}
	d, err := r.dir("createtemp", dirRel, true, 0o755)
	if err != nil {
		return nil, "", err
	}
	defer d.close()
	f, base, err := r.createTemp(d, dirRel, pattern, perm)
	if err != nil {
		return nil, "", err
	}
	return f, path.Join(dirRel, base), nil
}

func (r *Root) createTemp(d dir, dirRel, pattern string, perm fs.FileMode) (*os.File, string, error) {
	if err := checkPattern(pattern); err != nil {
		return nil, "", &fs.PathError{Op: "createtemp", Path: r.Path(dirRel), Err: err}
	}
	for try := 0; ; try++ {
		base := tempName(pattern)
		rel := path.Join(dirRel, base)
		f, err := r.openIn(d, rel, base, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		return f, base, err
	}
}

// MkdirTemp creates a new directory in dirRel ("." for the root) named by
// pattern as os.MkdirTemp names it, and returns its path relative to the
// root. dirRel is created when missing.
func (r *Root) MkdirTemp(dirRel, pattern string) (string, error) {
	if err := checkDirRel(dirRel); err != nil {
		return "", &fs.PathError{Op: "mkdirtemp", Path: r.Path(dirRel), Err: err}
	}
	if err := checkPattern(pattern); err != nil {
		return "", &fs.PathError{Op: "mkdirtemp", Path: r.Path(dirRel), Err: err}
	}
	d, err := r.dir("mkdirtemp", dirRel, true, 0o755)
	if err != nil {
		return "", err
	}
	defer d.close()
	for try := 0; ; try++ {
		base := tempName(pattern)
		err := d.mkdir(base, 0o700)
		if errors.Is(err, fs.ErrExist) && try < 100 {
			continue
		}
		if err != nil {
			return "", &fs.PathError{Op: "mkdirtemp", Path: r.Path(path.Join(dirRel, base)), Err: underlying(err)}
		}
		return path.Join(dirRel, base), nil
	}
}

// Rename renames oldRel to newRel, both below the root, without following
// a link in either's directories. Like rename(2) it replaces newRel when
// newRel is a file (a link there is replaced, never followed) or an empty
// directory.
func (r *Root) Rename(oldRel, newRel string) error {
	oldDir, oldBase, err := r.split("rename", oldRel)
	if err != nil {
		return err
	}
	newDir, newBase, err := r.split("rename", newRel)
	if err != nil {
		return err
	}
	from, err := r.dir("rename", oldDir, false, 0)
	if err != nil {
		return err
	}
	defer from.close()
	to, err := r.dir("rename", newDir, false, 0)
	if err != nil {
		return err
	}
	defer to.close()
	if err := from.rename(oldBase, to, newBase); err != nil {
		return &os.LinkError{Op: "rename", Old: r.Path(oldRel), New: r.Path(newRel), Err: underlying(err)}
	}
	return nil
}

// Remove removes the file, link or empty directory rel. A link is removed
// itself, never what it points at; a link among rel's directories is a
// *SymlinkError.
func (r *Root) Remove(rel string) error {
	dirRel, base, err := r.split("remove", rel)
	if err != nil {
		return err
	}
	d, err := r.dir("remove", dirRel, false, 0)
	if err != nil {
		return err
	}
	defer d.close()
	if err := d.remove(base); err != nil {
		return &fs.PathError{Op: "remove", Path: r.Path(rel), Err: underlying(err)}
	}
	return nil
}

// RemoveAll removes rel and everything below it, descending into
// directories only (never through a link: a link is removed itself). A
// missing rel is not an error; a link among rel's directories is a
// *SymlinkError. Every entry that could not be removed is reported.
func (r *Root) RemoveAll(rel string) error {
	dirRel, base, err := r.split("removeall", rel)
	if err != nil {
		return err
	}
	d, err := r.dir("removeall", dirRel, false, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer d.close()
	return r.removeAll(d, rel, base)
}

func (r *Root) removeAll(d dir, rel, base string) error {
	err := d.remove(base)
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	st, lerr := d.lstat(base)
	if lerr != nil || !st.IsDir() {
		return &fs.PathError{Op: "remove", Path: r.Path(rel), Err: underlying(err)}
	}
	sub, err := d.sub(base)
	if err != nil {
		return r.explain(d, "remove", rel, base, err)
	}
	list, err := sub.readDir()
	var errs []error
	if err != nil {
		errs = append(errs, &fs.PathError{Op: "readdir", Path: r.Path(rel), Err: err})
	}
	for _, e := range list {
		errs = append(errs, r.removeAll(sub, path.Join(rel, e.Name()), e.Name()))
	}
	sub.close()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := d.remove(base); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &fs.PathError{Op: "remove", Path: r.Path(rel), Err: underlying(err)}
	}
	return nil
}

// checkDirRel accepts "." (the root) or a CheckRel path.
func checkDirRel(rel string) error {
	if rel == "." {
		return nil
	}
	if err := CheckRel(rel); err != nil {
		return fmt.Errorf("directory: %w", err)
	}
	return nil
}
