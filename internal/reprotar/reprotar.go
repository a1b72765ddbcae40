// Package reprotar is kiln's one writer of reproducible tar streams: the
// entries in the order given, each stamped with one time and owned by
// numeric ids without user or group names, so the same entries give the
// same bytes. The archives, the OCI image's layer and its layout use it.
package reprotar

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Entry is one entry: a directory when Name ends in "/", else a regular
// file of Size bytes that Body writes.
type Entry struct {
	Name     string // slash-separated, relative
	Mode     int64
	UID, GID int
	Size     int64
	Body     func(w io.Writer) error
}

// Data is a file entry holding data.
func Data(name string, mode int64, data []byte) Entry {
	return Entry{Name: name, Mode: mode, Size: int64(len(data)), Body: func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}}
}

// File is a file entry with the bytes of the file at path, of size bytes.
func File(name string, mode int64, path string, size int64) Entry {
	return Entry{Name: name, Mode: mode, Size: size, Body: func(w io.Writer) error {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	}}
}

// Dir returns the entries of the tree under dir, in lexical order:
// directories 0755 and regular files 0644; anything else is an error.
func Dir(dir string) ([]Entry, error) {
	var entries []Entry
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		name := filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			entries = append(entries, Entry{Name: name + "/", Mode: 0o755})
		case d.Type().IsRegular():
			fi, err := d.Info()
			if err != nil {
				return err
			}
			entries = append(entries, File(name, 0o644, p, fi.Size()))
		default:
			return fmt.Errorf("%s: unexpected file type %s", rel, d.Type())
		}
		return nil
	})
	return entries, err
}

// Write writes entries, in order, to w as a tar stream stamped with mtime,
// in format (tar.FormatUnknown: the smallest format that holds each header,
// as archive/tar picks), and closes the tar stream (not w).
func Write(w io.Writer, entries []Entry, mtime time.Time, format tar.Format) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Mode: e.Mode, Uid: e.UID, Gid: e.GID, ModTime: mtime, Format: format}
		if strings.HasSuffix(e.Name, "/") {
			h.Typeflag = tar.TypeDir
		} else {
			h.Typeflag, h.Size = tar.TypeReg, e.Size
		}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("entry %q: %w", e.Name, err)
		}
		if e.Body != nil && h.Typeflag == tar.TypeReg {
			if err := e.Body(tw); err != nil {
				return fmt.Errorf("entry %q: %w", e.Name, err)
			}
		}
	}
	return tw.Close()
}

// Bytes is Write into memory.
func Bytes(entries []Entry, mtime time.Time, format tar.Format) ([]byte, error) {
	var buf bytes.Buffer
	err := Write(&buf, entries, mtime, format)
	return buf.Bytes(), err
}
