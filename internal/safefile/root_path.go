//go:build !(linux || darwin || freebsd || openbsd || netbsd)

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The path layer of Root, for systems without the *at system calls in
// golang.org/x/sys/unix (Windows, Plan 9, AIX, ...): every component is
// checked with Lstat before it is used. Links are refused, but a link
// swapped in between the check and the use is not detected.

type rootHandle struct{ dir string }

func openRootHandle(name string) (rootHandle, error) {
	st, err := os.Stat(name)
	if err != nil {
		return rootHandle{}, err
	}
	if !st.IsDir() {
		return rootHandle{}, notDir("open", name)
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return rootHandle{}, err
	}
	return rootHandle{abs}, nil
}

func (h rootHandle) close() error { return nil }

type dir struct {
	abs  string // the directory on disk
	path string // for messages
}

var errLink = errors.New("is a symbolic link")

func (r *Root) dir(op, rel string, mkdir bool, perm fs.FileMode) (dir, error) {
	d := dir{r.h.dir, r.name}
	if rel == "." {
		return d, nil
	}
	parts := strings.Split(rel, "/")
	for i, c := range parts {
		sofar := strings.Join(parts[:i+1], "/")
		st, err := d.lstat(c)
		if errors.Is(err, fs.ErrNotExist) && mkdir {
			if err := d.mkdir(c, perm); err != nil && !errors.Is(err, fs.ErrExist) {
				return dir{}, &fs.PathError{Op: "mkdir", Path: r.Path(sofar), Err: underlying(err)}
			}
			st, err = d.lstat(c)
		}
		switch {
		case err != nil:
			return dir{}, &fs.PathError{Op: op, Path: r.Path(sofar), Err: underlying(err)}
		case st.Mode()&fs.ModeSymlink != 0:
			return dir{}, &SymlinkError{Path: r.Path(sofar), Rel: sofar, Target: d.readlink(c)}
		case !st.IsDir() || st.Mode()&fs.ModeIrregular != 0:
			return dir{}, notDir(op, r.Path(sofar))
		}
		d = dir{filepath.Join(d.abs, c), r.Path(sofar)}
	}
	return d, nil
}

func (d dir) close() error { return nil }

func (d dir) open(name string, flag int, perm fs.FileMode) (*os.File, uint64, error) {
	st, err := d.lstat(name)
	switch {
	case err == nil && st.Mode()&fs.ModeSymlink != 0:
		return nil, 0, errLink
	case err == nil && !st.Mode().IsRegular():
		return nil, 0, &NotRegularError{Path: d.path + "/" + name, Kind: "not a regular file"}
	}
	f, err := os.OpenFile(filepath.Join(d.abs, name), flag, perm)
	if err != nil {
		return nil, 0, err
	}
	return f, 1, nil
}

func (d dir) sub(name string) (dir, error) {
	st, err := d.lstat(name)
	if err != nil {
		return dir{}, err
	}
	if !st.IsDir() || st.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return dir{}, errLink
	}
	return dir{filepath.Join(d.abs, name), d.path + "/" + name}, nil
}

func (d dir) mkdir(name string, perm fs.FileMode) error {
	return os.Mkdir(filepath.Join(d.abs, name), perm)
}

func (d dir) remove(name string) error { return os.Remove(filepath.Join(d.abs, name)) }

func (d dir) rename(name string, to dir, toName string) error {
	return os.Rename(filepath.Join(d.abs, name), filepath.Join(to.abs, toName))
}

func (d dir) lstat(name string) (fs.FileInfo, error) {
	return os.Lstat(filepath.Join(d.abs, name))
}

func (d dir) readlink(name string) string {
	t, _ := os.Readlink(filepath.Join(d.abs, name))
	return t
}

func (d dir) readDir() ([]fs.DirEntry, error) { return os.ReadDir(d.abs) }
