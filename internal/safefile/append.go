package safefile

import (
	"errors"
	"io/fs"
	"os"
)

// OpenAppend opens the file at path for appending, creating it (0o644)
// when missing, as kiln writes the files a CI runner names (GitHub
// Actions' GITHUB_OUTPUT and GITHUB_STEP_SUMMARY). It never blocks, and
// says why: not with a deadline but with O_NONBLOCK (on Unix), so opening a
// FIFO that has no reader fails at once instead of waiting for one, and
// with a check that what was opened is a regular file (before the open, so
// a device is never opened, and after it, on the open file). A FIFO, a
// device or a directory is a *NotRegularError naming the path; the caller
// adds the variable that named it. Symbolic links are followed: the path is
// the runner's, not a file in kiln's output directory.
//
// The file stays in non-blocking mode, which writes to a regular file
// ignore.
func OpenAppend(path string) (*os.File, error) {
	fix := "kiln appends only to regular files (a FIFO or device could block or never end)"
	st, err := os.Stat(path)
	if err == nil {
		if err := regular(path, st); err != nil {
			err.(*NotRegularError).Fix = fix
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|openFlags, 0o644)
	if err != nil {
		// A FIFO swapped in after the stat, without a reader: ENXIO.
		if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
			nr := regular(path, st).(*NotRegularError)
			nr.Fix = fix
			return nil, nr
		}
		return nil, err
	}
	st, err = f.Stat()
	if err == nil {
		err = regular(path, st)
		if nr, ok := err.(*NotRegularError); ok {
			nr.Fix = fix
		}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
