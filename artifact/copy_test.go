package artifact

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/pack/checksum"
)

// TestCopy: an entry's file is copied with the mode asked; a file whose
// bytes are not the entry's is refused and nothing is left at dst.
func TestCopy(t *testing.T) {
	src := t.TempDir()
	data := []byte("binary bytes")
	os.WriteFile(filepath.Join(src, "bin"), data, 0o644)
	a := Artifact{Path: "bin"}
	a.SHA256, a.Size, _ = checksum.Sum(bytes.NewReader(data))
	dst := filepath.Join(t.TempDir(), "out", "bin")
	os.MkdirAll(filepath.Dir(dst), 0o755)
	if err := Copy(src, a, dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("copy: %v, %v; want mode 0755", fi, err)
	}
	os.WriteFile(filepath.Join(src, "bin"), []byte("other bytes!"), 0o644)
	other := filepath.Join(filepath.Dir(dst), "other")
	if err := Copy(src, a, other, 0o755); err == nil || !strings.Contains(err.Error(), "changed while it was copied") {
		t.Errorf("copy of changed bytes = %v", err)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Errorf("a refused copy left %s: %v", other, err)
	}
}
