package releasetest

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// LockedBuffer is a bytes.Buffer that builds may report to at once.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *LockedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *LockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// GHModule writes a module "tool" at <repo>/mod, with extra files, and
// returns the repository root and the module.
func GHModule(t *testing.T, extra map[string]string) (string, string) {
	t.Helper()
	repo := t.TempDir()
	mod := filepath.Join(repo, "mod")
	files := map[string]string{"go.mod": "module example.com/tool\n\ngo 1.22\n",
		"main.go": "package main\n\nvar version = \"dev\"\n\nfunc main() { println(version) }\n"}
	for k, v := range extra {
		files[k] = v
	}
	for name, data := range files {
		if err := os.MkdirAll(filepath.Join(mod, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(mod, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return repo, mod
}

// Outputs reads a $GITHUB_OUTPUT file's "name<<DELIM" blocks.
func Outputs(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}
