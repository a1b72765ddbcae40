//go:build linux || darwin || freebsd || openbsd || netbsd

package safefile

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The descriptor layer of Root: every directory is an open descriptor and
// every operation an *at system call relative to it, with O_NOFOLLOW or
// AT_SYMLINK_NOFOLLOW, so no path is resolved twice.

type rootHandle struct{ fd int }

func openRootHandle(name string) (rootHandle, error) {
	fd, err := retry(func() (int, error) { return unix.Open(name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0) })
	if err != nil {
		return rootHandle{}, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return rootHandle{fd}, nil
}

func (h rootHandle) close() error { return unix.Close(h.fd) }

// dir is an open directory below the root.
type dir struct {
	fd   int
	path string // for messages: the root's name joined with the directory
}

// retry repeats an open interrupted by a signal.
func retry(open func() (int, error)) (int, error) {
	for {
		fd, err := open()
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// dir opens the directory rel ("." for the root) without following a link
// at any component, creating missing components with perm when mkdir is
// set. It tries one openat2 first; when that fails (no openat2, a missing
// component, a link) it walks the components one by one, which creates
// what is missing and names the component that is a link.
func (r *Root) dir(op, rel string, mkdir bool, perm fs.FileMode) (dir, error) {
	if rel == "." {
		fd, err := retry(func() (int, error) {
			return unix.Openat(r.h.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		})
		if err != nil {
			return dir{}, &fs.PathError{Op: op, Path: r.name, Err: err}
		}
		return dir{fd, r.name}, nil
	}
	if !r.walk {
		if fd, err := openat2Dir(r.h.fd, rel); err == nil {
			return dir{fd, r.Path(rel)}, nil
		}
	}
	return r.walkDir(op, rel, mkdir, perm)
}

// walkDir opens rel one component at a time with O_NOFOLLOW|O_DIRECTORY.
func (r *Root) walkDir(op, rel string, mkdir bool, perm fs.FileMode) (dir, error) {
	d, err := r.dir(op, ".", false, 0)
	if err != nil {
		return dir{}, err
	}
	parts := strings.Split(rel, "/")
	for i, c := range parts {
		sofar := strings.Join(parts[:i+1], "/")
		open := func() (int, error) {
			return unix.Openat(d.fd, c, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
		fd, err := retry(open)
		if err == unix.ENOENT && mkdir {
			if err := unix.Mkdirat(d.fd, c, uint32(perm.Perm())); err != nil && err != unix.EEXIST {
				d.close()
				return dir{}, &fs.PathError{Op: "mkdir", Path: r.Path(sofar), Err: err}
			}
			fd, err = retry(open)
		}
		if err != nil {
			e := r.explainDir(d, op, sofar, c, err)
			d.close()
			return dir{}, e
		}
		d.close()
		d = dir{fd, r.Path(sofar)}
	}
	return d, nil
}

// explainDir says why the component base of rel could not be opened as a
// directory in d.
func (r *Root) explainDir(d dir, op, rel, base string, err error) error {
	if st, lerr := d.lstat(base); lerr == nil {
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			return &SymlinkError{Path: r.Path(rel), Rel: rel, Target: d.readlink(base)}
		case !st.IsDir():
			return notDir(op, r.Path(rel))
		}
	}
	return &fs.PathError{Op: op, Path: r.Path(rel), Err: err}
}

func (d dir) close() error { return unix.Close(d.fd) }

// open opens name in d with O_NOFOLLOW and O_NONBLOCK (so a FIFO cannot
// block the open), returning the file (back in blocking mode when it is a
// regular file) and its number of hard links.
func (d dir) open(name string, flag int, perm fs.FileMode) (*os.File, uint64, error) {
	fd, err := retry(func() (int, error) {
		return unix.Openat(d.fd, name, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, uint32(perm.Perm()))
	})
	if err != nil {
		return nil, 0, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, 0, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFREG {
		if err := unix.SetNonblock(fd, false); err != nil {
			unix.Close(fd)
			return nil, 0, err
		}
	}
	return os.NewFile(uintptr(fd), d.path+"/"+name), uint64(st.Nlink), nil
}

func (d dir) sub(name string) (dir, error) {
	fd, err := retry(func() (int, error) {
		return unix.Openat(d.fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return dir{}, err
	}
	return dir{fd, d.path + "/" + name}, nil
}

func (d dir) mkdir(name string, perm fs.FileMode) error {
	return unix.Mkdirat(d.fd, name, uint32(perm.Perm()))
}

// remove unlinks a file or link, or removes an empty directory.
func (d dir) remove(name string) error {
	err := unix.Unlinkat(d.fd, name, 0)
	if err == unix.EISDIR || err == unix.EPERM {
		if derr := unix.Unlinkat(d.fd, name, unix.AT_REMOVEDIR); derr != unix.ENOTDIR {
			return derr
		}
	}
	return err
}

func (d dir) rename(name string, to dir, toName string) error {
	return unix.Renameat(d.fd, name, to.fd, toName)
}

func (d dir) lstat(name string) (fs.FileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(d.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, err
	}
	return &fileStat{name: name, st: st}, nil
}

func (d dir) readlink(name string) string {
	buf := make([]byte, 4096)
	n, err := unix.Readlinkat(d.fd, name, buf)
	if err != nil || n < 0 {
		return ""
	}
	return string(buf[:n])
}

// readDir lists d through a fresh descriptor (its own offset), sorted.
func (d dir) readDir() ([]fs.DirEntry, error) {
	fd, err := retry(func() (int, error) {
		return unix.Openat(d.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), d.path)
	defer f.Close()
	list, err := f.ReadDir(-1)
	slices.SortFunc(list, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return list, err
}

// fileStat is the fs.FileInfo of an fstatat.
type fileStat struct {
	name string
	st   unix.Stat_t
}

func (s *fileStat) Name() string       { return s.name }
func (s *fileStat) Size() int64        { return int64(s.st.Size) }
func (s *fileStat) ModTime() time.Time { return time.Unix(s.st.Mtim.Unix()) }
func (s *fileStat) IsDir() bool        { return s.Mode().IsDir() }
func (s *fileStat) Sys() any           { return &s.st }
func (s *fileStat) Mode() fs.FileMode {
	m := fs.FileMode(s.st.Mode & 0o777)
	switch s.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		m |= fs.ModeDir
	case unix.S_IFLNK:
		m |= fs.ModeSymlink
	case unix.S_IFIFO:
		m |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		m |= fs.ModeSocket
	case unix.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		m |= fs.ModeDevice
	case unix.S_IFREG:
	default:
		m |= fs.ModeIrregular
	}
	if s.st.Mode&unix.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if s.st.Mode&unix.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if s.st.Mode&unix.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}
