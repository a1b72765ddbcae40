package artifact

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/pack/checksum"
)

// The file of an entry, read on the manifest's say-so: confined, regular,
// and checked against what the entry records.

// Open opens the file of an entry: a regular file of bounded size inside
// dir after symlinks are resolved, never a device, FIFO or /proc file.
func Open(dir string, a Artifact) (*os.File, error) {
	f, _, err := safefile.OpenWithin(dir, a.Path, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Path, err)
	}
	return f, nil
}

// Describe fills Size and SHA256 of an artifact from its file (see Open).
func Describe(dir string, a Artifact) (Artifact, error) {
	f, err := Open(dir, a)
	if err != nil {
		return a, err
	}
	defer f.Close()
	a.SHA256, a.Size, err = checksum.Sum(f)
	if err != nil {
		return a, fmt.Errorf("hash %s: %w", a.Path, err)
	}
	return a, nil
}

// Copy copies the file of an entry in dir (see Open) to rel below the
// output directory r with mode, atomically and never through a link
// (safefile.Root.WriteAtomic), and fails when the bytes copied are not the
// ones the entry records: the bytes written are the bytes checked.
func Copy(dir string, a Artifact, r *safefile.Root, rel string, mode os.FileMode) error {
	src, err := Open(dir, a)
	if err != nil {
		return err
	}
	defer src.Close()
	return r.WriteAtomic(rel, mode, func(w io.Writer) error {
		sum, n, err := checksum.Sum(io.TeeReader(src, w))
		if err != nil {
			return err
		}
		if sum != a.SHA256 || n != a.Size {
			return fmt.Errorf("%s changed while it was copied", a.Path)
		}
		return nil
	})
}

// ReadAll reads the whole file of an entry (see Open), at most limit
// bytes (limit+1 when read reveals a longer file), and returns it with
// its sha256 and size: the caller compares them with what the entry
// records, the bytes it uses are the bytes it checked.
func ReadAll(dir string, a Artifact, limit int64) (data []byte, sum string, size int64, err error) {
	f, err := Open(dir, a)
	if err != nil {
		return nil, "", 0, err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, "", 0, fmt.Errorf("%s: %w", a.Path, err)
	}
	sum, size, err = checksum.Sum(bytes.NewReader(data))
	return data, sum, size, err
}
