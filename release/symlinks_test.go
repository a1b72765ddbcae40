package release

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoWriteThroughSymlinks: the three writes through symlinks found in
// dist/ (issue 16, case 3) are refused, naming the link and what to do,
// and nothing outside dist/ changes: a lock file that links elsewhere
// (verify), the marker of an otherwise empty dist/ (crossall), a platform
// directory that links to an outside directory (crossall and merge).
func TestNoWriteThroughSymlinks(t *testing.T) {
	env := []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=1.0.0"}
	outside := func(t *testing.T) (string, string) {
		dir := t.TempDir()
		file := filepath.Join(dir, "precious")
		if err := os.WriteFile(file, []byte("the user's file\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir, file
	}
	refused := func(t *testing.T, what string, err error, out, link string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), link) || !strings.Contains(err.Error(), "symbolic link") || !strings.Contains(err.Error(), "rm ") {
			t.Errorf("%s with %s a symbolic link = %v, want a refusal naming it and what to do\n%s", what, link, err, out)
		}
		t.Logf("%s: %v", what, err)
	}

	t.Run("lock", func(t *testing.T) {
		dir := testModule(t)
		mustRun(t, dir, env, (*Plan).Build)
		odir, file := outside(t)
		lock := filepath.Join(dir, "dist", ".kiln-lock")
		os.Remove(lock)
		if err := os.Symlink(file, lock); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, odir)
		out, err := run(t, dir, env, (*Plan).Verify)
		refused(t, "verify", err, out, "dist/.kiln-lock")
		assertSame(t, "verify", odir, before)
	})
	t.Run("marker", func(t *testing.T) {
		dir := testModule(t)
		odir, file := outside(t)
		if err := os.Mkdir(filepath.Join(dir, "dist"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(file, filepath.Join(dir, "dist", ".kiln-output")); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, odir)
		out, err := run(t, dir, env, (*Plan).Build)
		refused(t, "crossall", err, out, "dist/.kiln-output")
		assertSame(t, "crossall", odir, before)
	})
	t.Run("platform directory", func(t *testing.T) {
		dir := testModule(t)
		mustRun(t, dir, append([]string{"KILN_OUT=shard"}, env...), (*Plan).Build)
		mustRun(t, dir, env, (*Plan).Build)
		odir, _ := outside(t)
		pdir := filepath.Join(dir, "dist", "tool_linux_amd64")
		if err := os.RemoveAll(pdir); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(odir, pdir); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, odir)
		out, err := run(t, dir, env, (*Plan).Build)
		refused(t, "crossall", err, out, "dist/tool_linux_amd64")
		assertSame(t, "crossall", odir, before)
		out, err = run(t, dir, env, func(p *Plan, ctx context.Context) error { return p.Merge(ctx, []string{"shard"}) })
		refused(t, "merge", err, out, "dist/tool_linux_amd64")
		assertSame(t, "merge", odir, before)
	})
}
