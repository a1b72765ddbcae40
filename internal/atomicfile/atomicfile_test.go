package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "out.bin")
	if err := WriteFile(path, []byte("first"), 0o755); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Fatalf("Stat = %v, %v; want mode 0755", fi, err)
	}
	// A failing fill leaves the old content and no temporary file.
	boom := errors.New("boom")
	err = Write(path, 0o644, func(w io.Writer) error {
		w.Write([]byte("partial"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write error = %v, want boom", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "first" {
		t.Errorf("after a failed write the file holds %q, want %q", got, "first")
	}
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after a failed write, want only out.bin", len(ents))
	}
	if err := WriteFile(path, []byte("second"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "second" {
		t.Errorf("file holds %q, want %q", got, "second")
	}
}

func TestWriteUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A path below a regular file cannot be created.
	if err := WriteFile(filepath.Join(blocker, "x"), []byte("x"), 0o644); err == nil {
		t.Error("WriteFile below a regular file succeeded")
	}
}

func TestTempPath(t *testing.T) {
	dir := t.TempDir()
	p, err := TempPath(filepath.Join(dir, "a", "bin"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(p) != filepath.Join(dir, "a") || filepath.Base(p)[:5] != ".bin." {
		t.Errorf("TempPath = %s, want a hidden file beside the target", p)
	}
}
