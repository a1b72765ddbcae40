package safefile

import (
	"errors"
	"fmt"
	"io/fs"
)

// SymlinkError reports a symbolic link where a Root operation needs a file
// or a directory of its own: nothing inside a Root is read, written or
// removed through a link, whatever it points at.
type SymlinkError struct {
	// Path is the link as the user sees it: the root's name joined with
	// Rel ("dist/.kiln-lock").
	Path string
	// Rel is the link's path relative to the root, in slash form.
	Rel string
	// Target is what the link points at, "" when it could not be read.
	Target string
}

func (e *SymlinkError) Error() string {
	to := ""
	if e.Target != "" {
		to = " to " + e.Target
	}
	return fmt.Sprintf("%s is a symbolic link%s: kiln never reads, writes or removes anything through a symbolic link in its output directory; remove the link (rm %s) and run again", e.Path, to, e.Path)
}

// LinkedError reports a regular file with more than one hard link that a
// Root operation would write in place: the write would change the file
// under its other names too, which may be outside the root.
type LinkedError struct {
	Path  string
	Links uint64
}

func (e *LinkedError) Error() string {
	return fmt.Sprintf("%s has %d hard links: writing it in place would change the same file under its other names; remove it (rm %s) and run again", e.Path, e.Links, e.Path)
}

var errNotDir = errors.New("not a directory, and a directory is needed here: move it away and run again")

// notDir is the error for a path component that exists and is not a
// directory (nor a link to one).
func notDir(op, path string) error {
	return &fs.PathError{Op: op, Path: path, Err: errNotDir}
}
