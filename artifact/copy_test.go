package artifact

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/pack/checksum"
)

// TestCopy: an entry's file is copied with the mode asked; a file whose
// bytes are not the entry's is refused and nothing is left at dst; a
// destination reached through a link is refused and its target unchanged.
func TestCopy(t *testing.T) {
	src := t.TempDir()
	data := []byte("binary bytes")
	os.WriteFile(filepath.Join(src, "bin"), data, 0o644)
	a := Artifact{Path: "bin"}
	a.SHA256, a.Size, _ = checksum.Sum(bytes.NewReader(data))
	out := t.TempDir()
	r, err := safefile.OpenRoot(out)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := Copy(src, a, r, "out/bin", 0o755); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(out, "out", "bin")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("copy: %v, %v; want mode 0755", fi, err)
	}
	elsewhere := t.TempDir()
	os.Symlink(elsewhere, filepath.Join(out, "linked"))
	if err := Copy(src, a, r, "linked/bin", 0o755); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("copy through a link = %v, want a refusal", err)
	}
	if ents, _ := os.ReadDir(elsewhere); len(ents) != 0 {
		t.Errorf("a copy through a link wrote %d file(s) outside", len(ents))
	}
	os.WriteFile(filepath.Join(src, "bin"), []byte("other bytes!"), 0o644)
	if err := Copy(src, a, r, "out/other", 0o755); err == nil || !strings.Contains(err.Error(), "changed while it was copied") {
		t.Errorf("copy of changed bytes = %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "out", "other")); !os.IsNotExist(err) {
		t.Errorf("a refused copy left out/other: %v", err)
	}
}
