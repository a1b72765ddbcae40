// Package archive writes reproducible release archives: a .tar.gz or a
// .zip of regular files whose bytes depend only on the files' names,
// contents and modes and on one timestamp the caller chooses.
//
// Reproducible means, for both formats: entries sorted by name; every
// entry's modification time is Options.ModTime; modes are exactly 0755
// (executables) or 0644 unless the caller sets one; regular files only, no
// directory entries (extractors create parents themselves); owner uid/gid 0
// with empty user and group names; a fixed compression level. For tar.gz:
// USTAR headers (PAX only for names too long for USTAR), no access or change
// times, and a gzip header without file name or time and with OS byte 255.
// For zip: the MS-DOS time (2 s resolution, UTC, clamped to 1980–2107) and
// no extended-timestamp extra field.
//
// Byte-identical output holds for one Go toolchain; a Go release that
// changes compress/flate may change the compressed bytes (never the content).
package archive

import (
	"archive/tar"
	"archive/zip"
	"cmp"
	"compress/flate"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/internal/reprotar"
)

// File is one entry of an archive.
type File struct {
	Src  string      // path of the file on disk; symlinks are followed
	Name string      // slash-separated path inside the archive, e.g. "kiln" or "doc/README.md"
	Mode fs.FileMode // permission bits; 0 derives 0755 for executables, 0644 otherwise
}

// Options control what the caller decides for an archive.
type Options struct {
	// ModTime is the modification time of every entry, typically
	// SOURCE_DATE_EPOCH or the commit time. It is truncated to seconds (and
	// to 2 s in zip). The zero time means the Unix epoch.
	ModTime time.Time
}

// Write writes files into the archive dst, atomically: on failure or
// cancellation nothing is left at dst (an existing dst stays untouched) and
// no temporary file remains. The format follows dst's suffix, ".tar.gz" or
// ".zip". Every bad entry (invalid or duplicate name, missing or non-regular
// source, bad mode) is reported, in one error, before anything is written.
func Write(ctx context.Context, dst string, files []File, opts Options) error {
	var format func(context.Context, io.Writer, []entry, time.Time) error
	switch {
	case strings.HasSuffix(dst, ".tar.gz"):
		format = writeTarGz
	case strings.HasSuffix(dst, ".zip"):
		format = writeZip
	default:
		return fmt.Errorf("archive %s: unknown format; want a .tar.gz or .zip suffix", dst)
	}
	entries, err := prepare(files)
	if err != nil {
		return fmt.Errorf("archive %s: %w", dst, err)
	}
	mtime := opts.ModTime
	if mtime.IsZero() {
		mtime = time.Unix(0, 0)
	}
	mtime = mtime.UTC().Truncate(time.Second)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("archive %s: %w", dst, err)
	}
	return atomicfile.Write(dst, 0o644, func(w io.Writer) error {
		return format(ctx, w, entries, mtime)
	})
}

// entry is a validated File with its size and final mode.
type entry struct {
	File
	size int64
}

// prepare validates files, derives modes and sorts the entries by name.
func prepare(files []File) ([]entry, error) {
	var errs *multierror.Error
	seen := make(map[string]bool, len(files))
	entries := make([]entry, 0, len(files))
	for _, f := range files {
		if err := ValidName(f.Name); err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		if seen[f.Name] {
			errs = multierror.Append(errs, fmt.Errorf("entry %q: duplicate name", f.Name))
			continue
		}
		seen[f.Name] = true
		fi, err := os.Stat(f.Src)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("entry %q: %w", f.Name, err))
			continue
		}
		if !fi.Mode().IsRegular() {
			errs = multierror.Append(errs, fmt.Errorf("entry %q: %s is not a regular file", f.Name, f.Src))
			continue
		}
		switch {
		case f.Mode == 0 && (fi.Mode()&0o111 != 0 || strings.HasSuffix(f.Name, ".exe")):
			f.Mode = 0o755
		case f.Mode == 0:
			f.Mode = 0o644
		case f.Mode&^fs.ModePerm != 0:
			errs = multierror.Append(errs, fmt.Errorf("entry %q: mode %v (%#o) has more than permission bits", f.Name, f.Mode, uint32(f.Mode)))
			continue
		}
		entries = append(entries, entry{f, fi.Size()})
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("no files")
	}
	slices.SortFunc(entries, func(a, b entry) int { return cmp.Compare(a.Name, b.Name) })
	return entries, nil
}

// ValidName reports whether name may be an entry's name: a non-empty,
// clean, relative slash path without "." or ".." elements, backslashes,
// control characters or a trailing slash.
func ValidName(name string) error {
	bad := func(why string) error { return fmt.Errorf("entry name %q: %s", name, why) }
	switch {
	case name == "":
		return bad("empty")
	case strings.HasPrefix(name, "/"):
		return bad("absolute path")
	case strings.ContainsRune(name, '\\'):
		return bad(`contains "\"; use "/"`)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return bad("contains a control character")
	case slices.Contains(strings.Split(name, "/"), ".."):
		return bad(`contains ".."`)
	case !fs.ValidPath(name) || path.Clean(name) != name || name == ".":
		return bad("not a clean relative path")
	}
	return nil
}

// copyFile copies e's source into w, checking ctx between chunks and that
// the file still has the size it had when it was validated.
func copyFile(ctx context.Context, w io.Writer, e entry) error {
	f, err := os.Open(e.Src)
	if err != nil {
		return fmt.Errorf("entry %q: %w", e.Name, err)
	}
	defer f.Close()
	n, err := io.Copy(w, ctxReader{ctx, f})
	if err != nil {
		return fmt.Errorf("entry %q: %w", e.Name, err)
	}
	if n != e.size {
		return fmt.Errorf("entry %q: %s changed size while archiving (%d, then %d bytes)", e.Name, e.Src, e.size, n)
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func writeTarGz(ctx context.Context, w io.Writer, entries []entry, mtime time.Time) error {
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression) // level 9 is 3.7x slower for 0.3% smaller Go binaries
	if err != nil {
		return err
	}
	zw.Header = gzip.Header{OS: 255} // no name, no mtime, OS "unknown"
	tes := make([]reprotar.Entry, len(entries))
	for i, e := range entries {
		tes[i] = reprotar.Entry{Name: e.Name, Mode: int64(e.Mode), Size: e.size,
			Body: func(w io.Writer) error { return copyFile(ctx, w, e) }}
	}
	if err := reprotar.Write(zw, tes, mtime, tar.FormatUnknown); err != nil {
		return err
	}
	return zw.Close()
}

func writeZip(ctx context.Context, w io.Writer, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.DefaultCompression)
	})
	date, clock := dosTime(mtime)
	for _, e := range entries {
		hdr := &zip.FileHeader{
			Name:   e.Name,
			Method: zip.Deflate,
			// Modified stays zero: setting it adds an extended-timestamp field.
			ModifiedDate: date,
			ModifiedTime: clock,
		}
		hdr.SetMode(e.Mode)
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return fmt.Errorf("entry %q: %w", e.Name, err)
		}
		if err := copyFile(ctx, fw, e); err != nil {
			return err
		}
	}
	return zw.Close()
}

// dosTime encodes t (UTC) as MS-DOS date and time, clamped to the range the
// format holds (1980-01-01 to 2107-12-31), seconds rounded down to even.
func dosTime(t time.Time) (date, clock uint16) {
	t = t.UTC()
	if lo := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC); t.Before(lo) {
		t = lo
	}
	if hi := time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC); t.After(hi) {
		t = hi
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	clock = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, clock
}
