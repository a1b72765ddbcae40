package safefile

import (
	"fmt"
	"io/fs"
	"os"
)

// MaxSize is the largest file Open opens unless told otherwise, 4 GiB: far
// above any release artifact, small enough that a mistaken path (a disk
// image, a sparse file) is refused rather than read.
const MaxSize int64 = 4 << 30

// NotRegularError reports a path that is not a regular file: a directory,
// a device, a FIFO, a socket, or a file of a kernel pseudo-filesystem
// (/proc, /sys, ...), whose reads can block, never end or have effects.
type NotRegularError struct {
	Path string
	// Kind says what the path is instead: "a directory", "a character
	// device", "a named pipe (FIFO)", "a file of the proc filesystem", ...
	Kind string
	// Fix says what to do, when the refusing function knows: "remove it
	// and run again".
	Fix string
}

func (e *NotRegularError) Error() string {
	if e.Fix != "" {
		return fmt.Sprintf("%s is %s, not a regular file: %s", e.Path, e.Kind, e.Fix)
	}
	return fmt.Sprintf("%s is %s, not a regular file", e.Path, e.Kind)
}

// TooLargeError reports a regular file larger than the bound it was opened
// with.
type TooLargeError struct {
	Path      string
	Size, Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is %d bytes, more than the limit of %d bytes (%s)", e.Path, e.Size, e.Max, byteSize(e.Max))
}

// Open opens path for reading only when it is a regular file of at
// most max bytes (max <= 0 means MaxSize), and returns the open file and its
// information. It is the one safe way kiln opens a file whose path came
// from configuration or a manifest:
//
//   - Symbolic links are followed; the target must be a regular file.
//   - The path is checked with stat before it is opened, so a device, a
//     directory or a FIFO is never opened; the open uses O_NONBLOCK where
//     the OS has it, so a FIFO swapped in between cannot block, and the open
//     file is checked again (same file, still regular).
//   - Files of kernel pseudo-filesystems (/proc, /sys, debugfs, ...) are
//     refused: they claim to be regular files of size 0 and read as
//     something else (/proc/self/mem reads the process's memory).
//
// The errors are a *NotRegularError, a *TooLargeError, or the *fs.PathError
// of stat or open (errors.Is(err, fs.ErrNotExist) for a missing file). The
// caller closes the file.
func Open(path string, max int64) (*os.File, os.FileInfo, error) {
	if max <= 0 {
		max = MaxSize
	}
	before, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if err := regular(path, before); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = regular(path, st)
	}
	if err == nil && !os.SameFile(before, st) {
		err = fmt.Errorf("%s changed while it was opened", path)
	}
	if err == nil {
		if kind := pseudoFS(f); kind != "" {
			err = &NotRegularError{Path: path, Kind: "a file of the " + kind + " filesystem"}
		}
	}
	if err == nil && st.Size() > max {
		err = &TooLargeError{Path: path, Size: st.Size(), Max: max}
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// regular returns a *NotRegularError unless st describes a regular file.
func regular(path string, st fs.FileInfo) error {
	m := st.Mode()
	if m.IsRegular() {
		return nil
	}
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a block device"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	case m&fs.ModeIrregular != 0:
		kind = "an irregular file"
	}
	return &NotRegularError{Path: path, Kind: kind}
}

// byteSize formats n with a binary unit when it is a whole number of them.
func byteSize(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.unit)
		}
	}
	return fmt.Sprintf("%d B", n)
}
