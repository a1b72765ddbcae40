package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestRootReadFile: a regular file below the root is read whole; one over
// the bound, a directory or a missing file is an error.
func TestRootReadFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sums.txt"), []byte("abc  x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := r.ReadFile("sums.txt", 0); err != nil || string(got) != "abc  x\n" {
		t.Errorf(`ReadFile("sums.txt") = %q, %v, want the file`, got, err)
	}
	var tl *TooLargeError
	if _, err := r.ReadFile("sums.txt", 3); !errors.As(err, &tl) {
		t.Errorf(`ReadFile("sums.txt", 3) = %v, want a *TooLargeError`, err)
	}
	for _, rel := range []string{"sub", "nope.txt"} {
		if _, err := r.ReadFile(rel, 0); err == nil {
			t.Errorf("ReadFile(%q) read something, want an error", rel)
		}
	}
}
