package testtool

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// ModuleSource returns the source directory of modver (module@version) in
// the module cache, downloading it through the module proxy when needed
// (read-only: copy it to change it). Tests that use it need the proxy or
// a warm module cache: it skips under -short.
func ModuleSource(tb testing.TB, modver string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("a module from the module proxy")
	}
	cmd := exec.Command("go", "mod", "download", "-json", modver)
	cmd.Dir = tb.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.Output()
	var mod struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &mod); err != nil || jerr != nil || mod.Dir == "" {
		tb.Fatalf("go mod download %s: %v %s %s", modver, err, mod.Error, out)
	}
	return mod.Dir
}
