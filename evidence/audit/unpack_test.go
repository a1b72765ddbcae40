package audit

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tarEntry is one header (and data) of a test archive.
type tarEntry struct {
	hdr  tar.Header
	data string
}

func tarGz(t testing.TB, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := e.hdr
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg && h.Size == 0 {
			h.Size = int64(len(e.data))
		}
		if h.Mode == 0 {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func zipOf(t testing.TB, names []string, modes []fs.FileMode) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i, n := range names {
		h := &zip.FileHeader{Name: n, Method: zip.Deflate}
		h.SetMode(modes[i])
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("content of " + n))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func reg(name, data string) tarEntry {
	return tarEntry{hdr: tar.Header{Name: name}, data: data}
}

func unpackBytes(t testing.TB, data []byte, name string, lim Limits) ([]Entry, string, error) {
	tmp := t.TempDir()
	entries, err := Unpack(context.Background(), bytes.NewReader(data), int64(len(data)), name, tmp, lim)
	return entries, tmp, err
}

// TestUnpack: regular files come out, each into a private file named by
// Unpack, with its name, mode and bytes.
func TestUnpack(t *testing.T) {
	entries, tmp, err := unpackBytes(t, tarGz(t, reg("app", "binary"), reg("doc/README.md", "read me")), "x.tar.gz", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Name != "app" || entries[1].Name != "doc/README.md" || entries[0].Mode != 0o755 {
		t.Fatalf("entries %+v", entries)
	}
	for _, e := range entries {
		if filepath.Dir(e.Path) != tmp || strings.Contains(filepath.Base(e.Path), "README") {
			t.Errorf("entry %s copied to %s, want a file Unpack names in %s", e.Name, e.Path, tmp)
		}
	}
	if got, _ := os.ReadFile(entries[1].Path); string(got) != "read me" {
		t.Errorf("README content %q", got)
	}
	z := zipOf(t, []string{"app.exe", "LICENSE"}, []fs.FileMode{0o755, 0o644})
	if entries, _, err := unpackBytes(t, z, "x.zip", DefaultLimits); err != nil || len(entries) != 2 {
		t.Fatalf("zip: %v, %+v", err, entries)
	}
}

// TestUnpackHostile: every archive kiln would not write is refused with a
// reason, and nothing is written outside the temporary directory.
func TestUnpackHostile(t *testing.T) {
	big := strings.Repeat("x", 100)
	tests := []struct {
		name    string
		archive []byte
		file    string
		lim     Limits
		want    string
	}{
		{"parent", tarGz(t, reg("../evil", "x")), "a.tar.gz", DefaultLimits, `contains ".."`},
		{"absolute", tarGz(t, reg("/etc/evil", "x")), "a.tar.gz", DefaultLimits, "absolute"},
		{"symlink", tarGz(t, tarEntry{hdr: tar.Header{Name: "app", Typeflag: tar.TypeSymlink, Linkname: "/bin/sh"}}), "a.tar.gz", DefaultLimits, "a symbolic link"},
		{"hard link", tarGz(t, reg("a", "x"), tarEntry{hdr: tar.Header{Name: "b", Typeflag: tar.TypeLink, Linkname: "a"}}), "a.tar.gz", DefaultLimits, "a hard link"},
		{"directory", tarGz(t, tarEntry{hdr: tar.Header{Name: "d/", Typeflag: tar.TypeDir}}), "a.tar.gz", DefaultLimits, "a directory"},
		{"device", tarGz(t, tarEntry{hdr: tar.Header{Name: "null", Typeflag: tar.TypeChar}}), "a.tar.gz", DefaultLimits, "a device"},
		{"twice", tarGz(t, reg("app", "1"), reg("app", "2")), "a.tar.gz", DefaultLimits, "listed twice"},
		{"entry too large", tarGz(t, reg("app", big)), "a.tar.gz", Limits{Entries: 10, Entry: 99, Total: 1000}, "more than the limit"},
		{"too many", tarGz(t, reg("a", "1"), reg("b", "2"), reg("c", "3")), "a.tar.gz", Limits{Entries: 2, Entry: 10, Total: 100}, "more than 2 files"},
		{"total too large", tarGz(t, reg("a", big), reg("b", big)), "a.tar.gz", Limits{Entries: 10, Entry: 100, Total: 150}, "in all"},
		{"not gzip", []byte("plain text"), "a.tar.gz", DefaultLimits, "not gzip"},
		{"truncated", tarGz(t, reg("app", big))[:40], "a.tar.gz", DefaultLimits, ""},
		{"empty", tarGz(t), "a.tar.gz", DefaultLimits, "holds no file"},
		{"unknown suffix", []byte("x"), "a.rar", DefaultLimits, "not a .tar.gz or .zip"},
		{"zip parent", zipOf(t, []string{"../evil"}, []fs.FileMode{0o644}), "a.zip", DefaultLimits, `contains ".."`},
		{"zip symlink", zipOf(t, []string{"link"}, []fs.FileMode{fs.ModeSymlink | 0o777}), "a.zip", DefaultLimits, "a symbolic link"},
		{"zip directory", zipOf(t, []string{"d/"}, []fs.FileMode{fs.ModeDir | 0o755}), "a.zip", DefaultLimits, "a directory"},
		{"zip backslash", zipOf(t, []string{`..\evil`}, []fs.FileMode{0o644}), "a.zip", DefaultLimits, `contains "\"`},
		{"not zip", []byte("PK nope"), "a.zip", DefaultLimits, "corrupt zip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			tmp := filepath.Join(parent, "tmp")
			if err := os.Mkdir(tmp, 0o755); err != nil {
				t.Fatal(err)
			}
			_, err := Unpack(context.Background(), bytes.NewReader(tt.archive), int64(len(tt.archive)), tt.file, tmp, tt.lim)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Unpack = %v, want an error containing %q", err, tt.want)
			}
			if ents, _ := os.ReadDir(parent); len(ents) != 1 {
				t.Errorf("Unpack wrote beside its directory: %v", ents)
			}
		})
	}
}

// FuzzUnpack: no archive bytes make Unpack panic, write outside its
// directory or return an entry with an unclean name.
func FuzzUnpack(f *testing.F) {
	f.Add(tarGz(f, reg("app", "binary"), reg("doc/README.md", "x")), false)
	f.Add(tarGz(f, tarEntry{hdr: tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: "../x"}}), false)
	f.Add(zipOf(f, []string{"app.exe", "LICENSE"}, []fs.FileMode{0o755, 0o644}), true)
	f.Fuzz(func(t *testing.T, data []byte, isZip bool) {
		name := "x.tar.gz"
		if isZip {
			name = "x.zip"
		}
		parent := t.TempDir()
		tmp := filepath.Join(parent, "tmp")
		if err := os.Mkdir(tmp, 0o755); err != nil {
			t.Fatal(err)
		}
		entries, err := Unpack(context.Background(), bytes.NewReader(data), int64(len(data)), name, tmp,
			Limits{Entries: 100, Entry: 1 << 20, Total: 4 << 20})
		if err != nil {
			return
		}
		for _, e := range entries {
			if validName(e.Name) != nil || filepath.Dir(e.Path) != tmp {
				t.Fatalf("entry %q at %s", e.Name, e.Path)
			}
		}
		if ents, _ := os.ReadDir(parent); len(ents) != 1 {
			t.Fatalf("Unpack wrote beside its directory: %v", ents)
		}
	})
}
