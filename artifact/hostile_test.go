//go:build unix

package artifact

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestManifestNoFollow: a manifest that is a symbolic link (to a valid
// manifest elsewhere) or a FIFO is refused by Load and Save, naming it,
// without blocking and without writing the link's target; a manifest
// Save wrote states that kiln wrote it, a bare one does not.
func TestManifestNoFollow(t *testing.T) {
	elsewhere := filepath.Join(t.TempDir(), "artifacts.json")
	good := `{"format": "kiln-artifacts/v1", "artifacts": []}` + "\n"
	os.WriteFile(elsewhere, []byte(good), 0o644)

	linked := t.TempDir()
	os.Symlink(elsewhere, filepath.Join(linked, FileName))
	fifo := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(fifo, FileName), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for dir, want := range map[string]string{linked: "symbolic link", fifo: "named pipe"} {
		if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), FileName) {
			t.Errorf("Load with %s = %v, want a refusal naming it", want, err)
		}
		if err := (&Manifest{Project: "x"}).Save(dir); err == nil || !strings.Contains(err.Error(), FileName) {
			t.Errorf("Save over %s = %v, want a refusal naming it", want, err)
		}
	}
	if data, _ := os.ReadFile(elsewhere); string(data) != good {
		t.Errorf("Save wrote through the link: %q", data)
	}

	dir := t.TempDir()
	if err := (&Manifest{Project: "x"}).Save(dir); err != nil {
		t.Fatal(err)
	}
	if m, err := Load(dir); err != nil || !m.Kiln() {
		t.Errorf("a saved manifest: %+v, %v; want one that states kiln wrote it", m, err)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{"artifacts": []}`), 0o644)
	if m, err := Load(dir); err != nil || m.Kiln() {
		t.Errorf("a manifest without the format: Kiln() = %v (%v), want false", m.Kiln(), err)
	}
}
