package targets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Clean removes the output directory but never the module or a directory
// that holds it.
func TestClean(t *testing.T) {
	mod := t.TempDir()
	t.Chdir(mod)
	if err := os.MkdirAll(filepath.Join("dist", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{".", "..", mod, filepath.Dir(mod), "/"} {
		t.Setenv("KILN_OUT", out)
		err := Clean()
		if err == nil || !strings.Contains(err.Error(), "refusing") {
			t.Errorf("Clean with KILN_OUT=%q = %v, want a refusal", out, err)
		}
		if _, err := os.Stat(filepath.Join(mod, "dist", "x")); err != nil {
			t.Fatalf("Clean with KILN_OUT=%q removed files: %v", out, err)
		}
	}
	t.Setenv("KILN_OUT", "dist")
	if err := Clean(); err != nil {
		t.Fatalf("Clean() = %v", err)
	}
	if _, err := os.Stat(filepath.Join(mod, "dist")); !os.IsNotExist(err) {
		t.Errorf("Clean left dist: %v", err)
	}
}
