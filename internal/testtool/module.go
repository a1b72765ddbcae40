package testtool

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// CopyModule downloads a module version from the module proxy
// ("github.com/rakyll/hey@v0.1.4") and copies it to dst, writable (the
// module cache's files are read-only).
func CopyModule(tb testing.TB, modVersion, dst string) {
	tb.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = tb.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=") // a -mod=vendor in GOFLAGS refuses mod@version
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("go mod download %s: %v", modVersion, err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		tb.Fatalf("go mod download printed %s: %v", out, err)
	}
	if err := os.CopyFS(dst, os.DirFS(mod.Dir)); err != nil {
		tb.Fatal(err)
	}
	err = filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
