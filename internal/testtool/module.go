package testtool

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// download returns the source directory of modVersion (module@version) in
// the module cache, downloading it through the module proxy when needed.
func download(tb testing.TB, modVersion string) string {
	tb.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", modVersion)
	cmd.Dir = tb.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=") // a -mod=vendor in GOFLAGS refuses mod@version
	out, err := cmd.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); err != nil || jerr != nil || mod.Dir == "" {
		tb.Fatalf("go mod download %s: %v %s %s", modVersion, err, mod.Error, out)
	}
	return mod.Dir
}

// ModuleSource returns the source directory of modver (module@version) in
// the module cache, downloading it through the module proxy when needed
// (read-only: copy it to change it). Tests that use it need the proxy or
// a warm module cache: it skips under -short.
func ModuleSource(tb testing.TB, modver string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("a module from the module proxy")
	}
	return download(tb, modver)
}

// CopyModule downloads a module version from the module proxy
// ("github.com/rakyll/hey@v0.1.4") and copies it to dst, writable (the
// module cache's files are read-only).
func CopyModule(tb testing.TB, modVersion, dst string) {
	tb.Helper()
	if err := os.CopyFS(dst, os.DirFS(download(tb, modVersion))); err != nil {
		tb.Fatal(err)
	}
	err := filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
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
