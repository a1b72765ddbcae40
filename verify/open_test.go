package verify

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadFileTooLarge refuses a (sparse) file one byte over MaxSize
// without reading it, and OpenRegular applies the bound it is given.
func TestReadFileTooLarge(t *testing.T) {
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
	_, err = ReadFile(path)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != MaxSize+1 || tl.Max != MaxSize || !strings.Contains(err.Error(), "limit of 2147483648 bytes (2 GiB)") {
		t.Errorf("ReadFile(sparse MaxSize+1) = %v, want a *TooLargeError naming the 2 GiB limit", err)
	}

	small := bin(t, "static")
	if f, st, err := OpenRegular(small, 1024); f != nil || st != nil || !errors.As(err, &tl) || tl.Max != 1024 {
		t.Errorf("OpenRegular(%s, 1024) = %v, %v, %v, want a *TooLargeError", small, f, st, err)
	}
	f, st, err := OpenRegular(small, 0)
	if err != nil || !st.Mode().IsRegular() {
		t.Fatalf("OpenRegular(%s, 0) = %v, %v, want the file", small, st, err)
	}
	f.Close()
	if _, _, err := OpenRegular(filepath.Join(t.TempDir(), "missing"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenRegular(missing) = %v, want fs.ErrNotExist", err)
	}
}
