package project

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOpenRefuses: a directory without go.mod, or whose go.mod has no
// module line, is refused saying which.
func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err == nil || err.Error() != "no go.mod in "+dir+": run kiln from the root of your Go module" {
		t.Errorf("Open(no go.mod) = %v, want the go.mod it needs", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("go 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || err.Error() != "go.mod in "+dir+" has no module line" {
		t.Errorf("Open(go.mod without module line) = %v, want the module line named", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/tool/v2\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := Open(dir); err != nil || m.Path != "example.com/tool/v2" || m.Dir != dir || m.Name() != "tool" {
		t.Errorf("Open = %+v, %v; want module example.com/tool/v2 in %s", m, err, dir)
	}
}
