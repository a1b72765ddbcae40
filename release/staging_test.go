package release

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStaleStagingRemoved: what a killed package or merge left in dist/
// (its staging directory, a temporary manifest) is removed by the next
// run that holds the lock, and said so; a staging name that is a link
// is removed itself, never what it points at.
func TestStaleStagingRemoved(t *testing.T) {
	dir := testModule(t)
	env := []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=1.0.0"}
	mustRun(t, dir, env, (*Plan).Build)
	dist := filepath.Join(dir, "dist")
	odir, file := t.TempDir(), ""
	file = filepath.Join(odir, "keep")
	os.WriteFile(file, []byte("the user's"), 0o644)
	for _, d := range []string{".kiln-stage-123/tool_1.0.0_linux_amd64.tar.gz", ".kiln-merge-456/tool_linux_amd64/tool"} {
		p := filepath.Join(dist, filepath.FromSlash(d))
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dist, ".artifacts.json.tmp-42"), []byte("{"), 0o644)
	os.Symlink(odir, filepath.Join(dist, ".kiln-stage-789"))
	before := snapshot(t, odir)

	out := mustRun(t, dir, env, (*Plan).Verify)
	for _, name := range []string{".kiln-stage-123", ".kiln-merge-456", ".artifacts.json.tmp-42", ".kiln-stage-789"} {
		if _, err := os.Lstat(filepath.Join(dist, name)); !os.IsNotExist(err) {
			t.Errorf("%s is still in dist after the next run (%v)", name, err)
		}
		if !strings.Contains(out, name) {
			t.Errorf("the run did not say it removed %s:\n%s", name, out)
		}
	}
	assertSame(t, "removing stale staging", odir, before)
	if _, err := os.Stat(filepath.Join(dist, "tool_linux_amd64", "tool")); err != nil {
		t.Errorf("the binary went with the staging: %v", err)
	}
}
