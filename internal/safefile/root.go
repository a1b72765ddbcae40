package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"strconv"
	"strings"
)

// A Root is a directory that kiln writes into under one rule: below the
// root, no path component is a symbolic link and no file is reached through
// one. Every operation takes a path relative to the root in canonical slash
// form (CheckRel) and
//
//   - resolves its directories without following any symbolic link: on
//     Linux ≥ 5.6 with one openat2(RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH),
//     elsewhere (and on older kernels) by opening one component at a time
//     with O_NOFOLLOW|O_DIRECTORY from the root's descriptor, so a link
//     swapped in during the walk is refused too;
//   - opens the last component with O_NOFOLLOW (O_EXCL where it creates)
//     and O_NONBLOCK, then checks that it opened a regular file, so a FIFO
//     or a device in place of a file is refused without blocking;
//   - refuses in-place writes to a file with several hard links;
//   - reports a link as a *SymlinkError that names it and says what to do.
//
// The root directory itself is opened as given (a symbolic link there is
// the user's choice of output directory, resolved once); the caller decides
// whether that is acceptable before calling OpenRoot.
//
// On systems without openat (Windows, Plan 9, ...), components are checked
// with Lstat before each operation: links are refused, but a link swapped
// in between the check and the use is not detected there.
//
// A Root is safe for concurrent use: every operation opens its own
// descriptors from the root's.
type Root struct {
	name string // the directory as given, for messages
	h    rootHandle
	// walk forces the component walk where openat2 is available (tests).
	walk bool
}

// OpenRoot opens the directory dir as a Root. The caller closes it.
func OpenRoot(dir string) (*Root, error) {
	h, err := openRootHandle(dir)
	if err != nil {
		return nil, err
	}
	return &Root{name: dir, h: h}, nil
}

// Close releases the root's directory.
func (r *Root) Close() error { return r.h.close() }

// Name is the root directory as it was given to OpenRoot.
func (r *Root) Name() string { return r.name }

// Path is rel below the root as a path the user (or a tool run on the
// file) can use: the root's name joined with rel. It checks nothing: use
// it for messages and for tools that write a path the Root created.
func (r *Root) Path(rel string) string {
	if rel == "." || rel == "" {
		return r.name
	}
	return strings.TrimSuffix(r.name, "/") + "/" + rel
}

// split checks rel and returns its directory and last element.
func (r *Root) split(op, rel string) (dirRel, base string, err error) {
	if err := CheckRel(rel); err != nil {
		return "", "", &fs.PathError{Op: op, Path: r.Path(rel), Err: err}
	}
	d, b := path.Split(rel)
	return cmpDot(strings.TrimSuffix(d, "/")), b, nil
}

func cmpDot(s string) string {
	if s == "" {
		return "."
	}
	return s
}

// MkdirAll creates the directory rel and any missing parents with mode
// perm (before umask). An existing component must be a directory, not a
// link to one: the first link on the way is a *SymlinkError.
func (r *Root) MkdirAll(rel string, perm fs.FileMode) error {
	if err := CheckRel(rel); err != nil {
		return &fs.PathError{Op: "mkdir", Path: r.Path(rel), Err: err}
	}
	d, err := r.dir("mkdir", rel, true, perm)
	if err != nil {
		return err
	}
	return d.close()
}

// OpenFile opens rel with the os.O_* flags, never following a link at any
// component. Only regular files are opened: a directory, FIFO, device or
// socket is a *NotRegularError (found without blocking). With write access
// and without O_EXCL, a file with several hard links is a *LinkedError.
// Parent directories must exist (see MkdirAll).
func (r *Root) OpenFile(rel string, flag int, perm fs.FileMode) (*os.File, error) {
	dirRel, base, err := r.split("open", rel)
	if err != nil {
		return nil, err
	}
	d, err := r.dir("open", dirRel, false, 0)
	if err != nil {
		return nil, err
	}
	defer d.close()
	return r.openIn(d, rel, base, flag, perm)
}

// openIn opens base in d under OpenFile's rules.
func (r *Root) openIn(d dir, rel, base string, flag int, perm fs.FileMode) (*os.File, error) {
	// O_TRUNC waits for the checks: truncating a hard-linked file would
	// change it under its other names before LinkedError could refuse it.
	f, links, err := d.open(base, flag&^os.O_TRUNC, perm)
	if err != nil {
		return nil, r.explain(d, "open", rel, base, err)
	}
	st, err := f.Stat()
	if err == nil {
		err = regular(r.Path(rel), st)
	}
	if err == nil && flag&(os.O_WRONLY|os.O_RDWR) != 0 && flag&os.O_EXCL == 0 && links > 1 {
		err = &LinkedError{Path: r.Path(rel), Links: links}
	}
	if err == nil && flag&os.O_TRUNC != 0 {
		err = f.Truncate(0)
	}
	if err != nil {
		f.Close()
		if nr, ok := err.(*NotRegularError); ok {
			nr.Fix = "kiln writes only regular files in its output directory; remove it and run again"
		}
		return nil, err
	}
	return f, nil
}

// Create creates rel exclusively (O_CREATE|O_EXCL, write only): an
// existing file, link or anything else there is an error, a link a
// *SymlinkError.
func (r *Root) Create(rel string, perm fs.FileMode) (*os.File, error) {
	return r.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
}

// Open opens rel for reading when it is a regular file of at most max
// bytes (max <= 0 means MaxSize), with the errors of Open and OpenFile.
func (r *Root) Open(rel string, max int64) (*os.File, fs.FileInfo, error) {
	if max <= 0 {
		max = MaxSize
	}
	f, err := r.OpenFile(rel, os.O_RDONLY, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil && st.Size() > max {
		err = &TooLargeError{Path: r.Path(rel), Size: st.Size(), Max: max}
	}
	if err == nil {
		if kind := pseudoFS(f); kind != "" {
			err = &NotRegularError{Path: r.Path(rel), Kind: "a file of the " + kind + " filesystem"}
		}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// ReadFile reads rel when it is a regular file of at most max bytes
// (max <= 0 means MaxSize), with the errors of Open.
func (r *Root) ReadFile(rel string, max int64) ([]byte, error) {
	f, _, err := r.Open(rel, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Lstat describes rel itself (a link is described, not followed).
func (r *Root) Lstat(rel string) (fs.FileInfo, error) {
	dirRel, base, err := r.split("lstat", rel)
	if err != nil {
		return nil, err
	}
	d, err := r.dir("lstat", dirRel, false, 0)
	if err != nil {
		return nil, err
	}
	defer d.close()
	st, err := d.lstat(base)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: r.Path(rel), Err: err}
	}
	return st, nil
}

// Regular checks rel without opening anything: nil when it is a regular
// file reached without a link; an error matching fs.ErrNotExist when
// nothing is there; a *SymlinkError for a link at rel or on the way to
// it; a *NotRegularError saying what to do for a directory, FIFO, device
// or socket. A caller that is about to put a file of its own at rel (by
// rename) or to trust one there asks it first.
func (r *Root) Regular(rel string) error {
	dirRel, base, err := r.split("lstat", rel)
	if err != nil {
		return err
	}
	d, err := r.dir("lstat", dirRel, false, 0)
	if err != nil {
		return err
	}
	defer d.close()
	st, err := d.lstat(base)
	switch {
	case err != nil:
		return &fs.PathError{Op: "lstat", Path: r.Path(rel), Err: err}
	case st.Mode()&fs.ModeSymlink != 0:
		return &SymlinkError{Path: r.Path(rel), Rel: rel, Target: d.readlink(base)}
	}
	if err := regular(r.Path(rel), st); err != nil {
		err.(*NotRegularError).Fix = "kiln writes only regular files in its output directory; remove it and run again"
		return err
	}
	return nil
}

// ReadDir lists the directory rel ("." for the root), sorted by name.
func (r *Root) ReadDir(rel string) ([]fs.DirEntry, error) {
	if rel != "." {
		if err := CheckRel(rel); err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: r.Path(rel), Err: err}
		}
	}
	d, err := r.dir("readdir", rel, false, 0)
	if err != nil {
		return nil, err
	}
	defer d.close()
	list, err := d.readDir()
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: r.Path(rel), Err: err}
	}
	return list, nil
}

// explain turns the failure of an operation on base in d into the error
// the user needs: a *SymlinkError for a link, a *NotRegularError for a
// FIFO, device or directory where a file was wanted, else a PathError.
func (r *Root) explain(d dir, op, rel, base string, err error) error {
	if st, lerr := d.lstat(base); lerr == nil {
		switch m := st.Mode(); {
		case m&fs.ModeSymlink != 0:
			return &SymlinkError{Path: r.Path(rel), Rel: rel, Target: d.readlink(base)}
		case !m.IsRegular() && op == "open":
			nr := regular(r.Path(rel), st).(*NotRegularError)
			nr.Fix = "kiln writes only regular files in its output directory; remove it and run again"
			return nr
		}
	}
	return &fs.PathError{Op: op, Path: r.Path(rel), Err: underlying(err)}
}

// underlying strips a PathError the OS layer added, keeping its cause.
func underlying(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// tempName is pattern with its last "*" (or its end) replaced by a random
// number, as os.CreateTemp names files.
func tempName(pattern string) string {
	n := strconv.FormatUint(uint64(rand.Uint32()), 10)
	if i := strings.LastIndex(pattern, "*"); i >= 0 {
		return pattern[:i] + n + pattern[i+1:]
	}
	return pattern + n
}

// checkPattern refuses a temporary name pattern that is not one path
// element.
func checkPattern(pattern string) error {
	if strings.ContainsAny(pattern, "/\\\x00") || pattern == "." || pattern == ".." {
		return fmt.Errorf("pattern %q is not a single file name", pattern)
	}
	return nil
}

// WriteAtomic writes rel from what fill writes, so that readers see the
// old content or the whole new one: the data goes to a new temporary file
// beside rel (created exclusively, no-follow), which is synced, given mode
// perm and renamed over rel only when everything succeeded. Missing parent
// directories are created (0o755). An existing link at rel is refused (a
// *SymlinkError), though rename would only replace it: the link's presence
// means something else is writing into the root.
func (r *Root) WriteAtomic(rel string, perm fs.FileMode, fill func(w io.Writer) error) (err error) {
	dirRel, base, err := r.split("write", rel)
	if err != nil {
		return err
	}
	d, err := r.dir("write", dirRel, true, 0o755)
	if err != nil {
		return err
	}
	defer d.close()
	if st, err := d.lstat(base); err == nil && st.Mode()&fs.ModeSymlink != 0 {
		return &SymlinkError{Path: r.Path(rel), Rel: rel, Target: d.readlink(base)}
	}
	tmp, tmpBase, err := r.createTemp(d, dirRel, "."+base+".tmp-*", perm)
	if err != nil {
		return fmt.Errorf("write %s: %w", r.Path(rel), err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			d.remove(tmpBase)
		}
	}()
	if err := fill(tmp); err != nil {
		return fmt.Errorf("write %s: %w", r.Path(rel), err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", r.Path(rel), err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", r.Path(rel), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", r.Path(rel), err)
	}
	if err := d.rename(tmpBase, d, base); err != nil {
		return r.explain(d, "write", rel, base, err)
	}
	return nil
}

// WriteFileAtomic is WriteAtomic for data already in memory.
func (r *Root) WriteFileAtomic(rel string, data []byte, perm fs.FileMode) error {
	return r.WriteAtomic(rel, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
