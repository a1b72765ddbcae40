package audit

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/kiln-build/kiln/pack/archive"
)

// Limits bound what Unpack takes out of an archive: a hostile archive
// (a bomb, millions of entries) is refused, never unpacked to the end.
type Limits struct {
	Entries int   // regular files
	Entry   int64 // bytes of one file
	Total   int64 // bytes of all files
}

// DefaultLimits are far above any release archive: kiln's hold a few
// binaries and documents.
var DefaultLimits = Limits{Entries: 10000, Entry: 2 << 30, Total: 8 << 30}

// An Entry is one regular file of an archive, copied to a private file.
type Entry struct {
	// Name is the entry's name in the archive, a clean relative slash path.
	Name string
	Mode fs.FileMode
	Size int64
	// Path is the private copy, named by Unpack (never after the entry).
	Path string
}

// Unpack copies every regular file of the archive r (size bytes; a
// .tar.gz or a .zip, by the suffix of its name) into new files under tmp and returns them sorted
// as the archive holds them. The entry names never become paths, so no
// entry can write outside tmp. A directory, a symbolic or hard link, a
// device, a name that is not a clean relative path (archive.ValidName),
// a name listed twice, or more than lim allows is an error: kiln's
// archives hold regular files only. Cancelling ctx stops the copy.
func Unpack(ctx context.Context, r io.ReaderAt, size int64, name, tmp string, lim Limits) ([]Entry, error) {
	u := &unpacker{ctx: ctx, tmp: tmp, lim: lim, seen: map[string]bool{}}
	var err error
	switch {
	case strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".tgz"):
		err = u.tarGz(io.NewSectionReader(r, 0, size))
	case strings.HasSuffix(name, ".zip"):
		err = u.zip(r, size)
	default:
		err = errors.New("not a .tar.gz or .zip archive")
	}
	if err != nil {
		return nil, err
	}
	if len(u.out) == 0 {
		return nil, errors.New("holds no file")
	}
	return u.out, nil
}

type unpacker struct {
	ctx   context.Context
	tmp   string
	lim   Limits
	total int64
	seen  map[string]bool
	out   []Entry
}

func (u *unpacker) tarGz(r io.Reader) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not gzip: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("corrupt tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			return fmt.Errorf("entry %q is %s; kiln's archives hold regular files only", h.Name, tarType(h.Typeflag))
		}
		if err := u.copy(h.Name, fs.FileMode(h.Mode).Perm(), h.Size, tr); err != nil {
			return err
		}
	}
}

func (u *unpacker) zip(r io.ReaderAt, size int64) error {
	// Names are checked below, whatever zip thinks of them.
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) || zr == nil {
		return fmt.Errorf("corrupt zip: %w", err)
	}
	for _, zf := range zr.File {
		mode := zf.Mode()
		if !mode.IsRegular() {
			return fmt.Errorf("entry %q is %s; kiln's archives hold regular files only", zf.Name, modeType(mode))
		}
		if zf.UncompressedSize64 > uint64(u.lim.Entry) {
			return fmt.Errorf("entry %q: %d bytes, more than the limit of %d", zf.Name, zf.UncompressedSize64, u.lim.Entry)
		}
		if err := validName(zf.Name); err != nil {
			return err
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("entry %q: %w", zf.Name, err)
		}
		err = u.copy(zf.Name, mode.Perm(), int64(zf.UncompressedSize64), rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func validName(name string) error {
	if err := archive.ValidName(name); err != nil {
		return fmt.Errorf("%v; kiln's archives hold clean relative names only", err)
	}
	return nil
}

// copy copies one entry of the given size into a new file under tmp.
func (u *unpacker) copy(name string, mode fs.FileMode, size int64, r io.Reader) error {
	if err := u.ctx.Err(); err != nil {
		return err
	}
	if err := validName(name); err != nil {
		return err
	}
	switch {
	case u.seen[name]:
		return fmt.Errorf("entry %q is listed twice", name)
	case len(u.out) >= u.lim.Entries:
		return fmt.Errorf("more than %d files", u.lim.Entries)
	case size < 0 || size > u.lim.Entry:
		return fmt.Errorf("entry %q: %d bytes, more than the limit of %d", name, size, u.lim.Entry)
	case u.total+size > u.lim.Total:
		return fmt.Errorf("more than %d bytes in all", u.lim.Total)
	}
	u.seen[name] = true
	f, err := os.CreateTemp(u.tmp, "entry-")
	if err != nil {
		return err
	}
	// Read one byte past the declared size: an entry whose data runs on
	// is corrupt (zip checks its CRC and size on EOF too).
	n, err := io.Copy(f, io.LimitReader(r, size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return fmt.Errorf("entry %q: %w", name, err)
	case n != size:
		return fmt.Errorf("entry %q: %d bytes of data, its header says %d", name, n, size)
	}
	u.total += size
	u.out = append(u.out, Entry{Name: name, Mode: mode, Size: size, Path: f.Name()})
	return nil
}

func tarType(t byte) string {
	switch t {
	case tar.TypeDir:
		return "a directory"
	case tar.TypeSymlink:
		return "a symbolic link"
	case tar.TypeLink:
		return "a hard link"
	case tar.TypeChar, tar.TypeBlock:
		return "a device"
	case tar.TypeFifo:
		return "a named pipe"
	}
	return fmt.Sprintf("of tar type %q", t)
}

func modeType(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return "a device"
	}
	return fmt.Sprintf("of mode %v", m)
}
