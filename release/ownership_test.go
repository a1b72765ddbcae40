package release

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrayManifestNotOwned: a user's directory whose only tie to kiln is
// a file named artifacts.json (here "not json") is not kiln's: clean
// refuses to remove it and crossall refuses to write into it, and every
// file in it stays.
func TestStrayManifestNotOwned(t *testing.T) {
	dir := testModule(t)
	reports := filepath.Join(dir, "reports")
	files := map[string]string{"artifacts.json": "not json", "notes.txt": "the user's notes\n"}
	if err := os.Mkdir(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(reports, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"KILN_OUT=reports", "KILN_MATRIX=linux/amd64"}
	var out strings.Builder
	err := Clean(context.Background(), testSettings(), WithDir(dir), WithOutput(&out), WithEnv(func(k string) string {
		return map[string]string{"KILN_OUT": "reports"}[k]
	}))
	if err == nil || !strings.Contains(err.Error(), "kiln did not create it") {
		t.Errorf("clean of a directory with a stray artifacts.json = %v, want a refusal\n%s", err, out.String())
	}
	got, err := run(t, dir, env, (*Plan).Build)
	if err == nil || !strings.Contains(err.Error(), "kiln did not create it") || !strings.Contains(err.Error(), "KILN_OUT") {
		t.Errorf("crossall into a directory with a stray artifacts.json = %v, want a refusal naming KILN_OUT\n%s", err, got)
	}
	ents, _ := os.ReadDir(reports)
	if len(ents) != len(files) {
		t.Errorf("reports holds %d entries after the refusals, want the user's %d", len(ents), len(files))
	}
	for name, data := range files {
		if b, err := os.ReadFile(filepath.Join(reports, name)); err != nil || string(b) != data {
			t.Errorf("%s = %q, %v after the refusals, want %q", name, b, err, data)
		}
	}
}
