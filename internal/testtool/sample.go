package testtool

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// CopySampleApp copies the sample app's module of the kiln checkout at
// root (sources, go.mod, go.sum; not dist/ nor hidden directories) to dst
// and points its replace directive at root, so the copy builds anywhere.
func CopySampleApp(tb testing.TB, root, dst string) {
	tb.Helper()
	src := filepath.Join(root, "sample-app")
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			if rel == "dist" || rel != "." && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel == "go.mod" {
			old := []byte("replace github.com/kiln-build/kiln => ../")
			if !bytes.Contains(data, old) {
				return fmt.Errorf("sample-app/go.mod has no %q", old)
			}
			data = bytes.Replace(data, old, []byte("replace github.com/kiln-build/kiln => "+root), 1)
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		tb.Fatalf("copy sample app: %v", err)
	}
}
