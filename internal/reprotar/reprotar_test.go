package reprotar

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDirDeterministic: a tree written twice, with other modes and times
// on disk, gives the same bytes; entries are in lexical order, stamped
// with the given time, owned by root without names; a symlink is refused.
func TestDirDeterministic(t *testing.T) {
	mtime := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	write := func(dir string, mode os.FileMode) []byte {
		os.MkdirAll(filepath.Join(dir, "b"), 0o700)
		os.WriteFile(filepath.Join(dir, "b", "f"), []byte("data"), mode)
		os.WriteFile(filepath.Join(dir, "a"), []byte("x"), mode)
		entries, err := Dir(dir)
		if err != nil {
			t.Fatal(err)
		}
		data, err := Bytes(entries, mtime, tar.FormatPAX)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	one, two := write(t.TempDir(), 0o600), write(t.TempDir(), 0o755)
	if !bytes.Equal(one, two) {
		t.Error("the same tree gave other bytes")
	}
	tr := tar.NewReader(bytes.NewReader(one))
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Uname != "" || (h.Typeflag == tar.TypeReg) != (h.Mode == 0o644) {
			t.Errorf("%s: %+v", h.Name, h)
		}
	}
	if got := strings.Join(names, " "); got != "a b/ b/f" {
		t.Errorf("entries %q, want a b/ b/f", got)
	}
	dir := t.TempDir()
	os.Symlink("/etc/passwd", filepath.Join(dir, "link"))
	if _, err := Dir(dir); err == nil {
		t.Error("Dir of a tree with a symlink succeeded")
	}
}
