package artifact

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReadAll: the bytes come back with their own sha256 and size, so a
// file changed after its entry was made shows; a file longer than the
// limit is cut at limit+1 bytes; a path outside dir is refused.
func TestReadAll(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Describe(dir, Artifact{Path: "f"})
	if err != nil {
		t.Fatal(err)
	}
	data, sum, size, err := ReadAll(dir, a, a.Size)
	if err != nil || string(data) != "hello" || sum != a.SHA256 || size != a.Size {
		t.Fatalf("ReadAll = %q, %s, %d, %v; want hello with the entry's sha256 and size", data, sum, size, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("hello, changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, sum, size, _ := ReadAll(dir, a, a.Size); sum == a.SHA256 || size != a.Size+1 {
		t.Errorf("a changed file read as sha256 %s, %d bytes: want another sum and limit+1 bytes", sum, size)
	}
	if _, _, _, err := ReadAll(dir, Artifact{Path: "../outside"}, 10); err == nil {
		t.Error("ReadAll read a path outside dir")
	}
}
