package release

import (
	"os"
	"path/filepath"
	"testing"
)

func TestModuleName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"example.com/tool", "tool"},
		{"example.com/tool/v2", "tool"},
		{"example.com/tool/v10", "tool"},
		{"github.com/kiln-build/kiln/sample-app", "sample-app"},
		{"gopkg.in/yaml.v3", "yaml"},
		{"gopkg.in/check.v1", "check"},
		{"example.com/v2", "example.com"},
		{"tool", "tool"},
		{"example.com/tool/v1", "v1"}, // not a major-version suffix: v1 is never one
		{"example.com/tool/v2x", "v2x"},
	} {
		if got := moduleName(tc.in); got != tc.want {
			t.Errorf("moduleName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// writeFiles writes name → content into a new temporary directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
