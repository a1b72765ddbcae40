package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenTooLarge refuses a (sparse) file one byte over MaxSize
// without reading it, and Open applies the bound it is given.
func TestOpenTooLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "huge")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSize + 1); err != nil {
		f.Close()
		t.Skipf("cannot make a sparse file of %d bytes here: %v", MaxSize+1, err)
	}
	f.Close()
	err = openErr(path)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != MaxSize+1 || tl.Max != MaxSize || !strings.Contains(err.Error(), "limit of 4294967296 bytes (4 GiB)") {
		t.Errorf("Open(sparse MaxSize+1) = %v, want a *TooLargeError naming the 4 GiB limit", err)
	}

	small := filepath.Join(t.TempDir(), "small")
	if err := os.WriteFile(small, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	if f, st, err := Open(small, 1024); f != nil || st != nil || !errors.As(err, &tl) || tl.Max != 1024 {
		t.Errorf("Open(%s, 1024) = %v, %v, %v, want a *TooLargeError", small, f, st, err)
	}
	f, st, err := Open(small, 0)
	if err != nil || !st.Mode().IsRegular() {
		t.Fatalf("Open(%s, 0) = %v, %v, want the file", small, st, err)
	}
	f.Close()
	if _, _, err := Open(filepath.Join(t.TempDir(), "missing"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open(missing) = %v, want fs.ErrNotExist", err)
	}
}

// openErr is the error of Open with the default bound (the file closed).
func openErr(path string) error {
	f, _, err := Open(path, 0)
	if f != nil {
		f.Close()
	}
	return err
}
