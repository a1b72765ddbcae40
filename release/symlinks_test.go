package release_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
	"github.com/kiln-build/kiln/release"
	"github.com/kiln-build/kiln/shards"
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
		dir := releasetest.Module(t)
		plantest.MustRun(t, dir, env, (*release.Plan).Build)
		odir, file := outside(t)
		lock := filepath.Join(dir, "dist", ".kiln-lock")
		os.Remove(lock)
		if err := os.Symlink(file, lock); err != nil {
			t.Fatal(err)
		}
		before := releasetest.Snapshot(t, odir)
		out, err := plantest.Run(t, dir, env, (*release.Plan).Verify)
		refused(t, "verify", err, out, "dist/.kiln-lock")
		releasetest.AssertSame(t, "verify", odir, before)
	})
	t.Run("marker", func(t *testing.T) {
		dir := releasetest.Module(t)
		odir, file := outside(t)
		if err := os.Mkdir(filepath.Join(dir, "dist"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(file, filepath.Join(dir, "dist", ".kiln-output")); err != nil {
			t.Fatal(err)
		}
		before := releasetest.Snapshot(t, odir)
		out, err := plantest.Run(t, dir, env, (*release.Plan).Build)
		refused(t, "crossall", err, out, "dist/.kiln-output")
		releasetest.AssertSame(t, "crossall", odir, before)
	})
	t.Run("platform directory", func(t *testing.T) {
		dir := releasetest.Module(t)
		plantest.MustRun(t, dir, append([]string{"KILN_OUT=shard"}, env...), (*release.Plan).Build)
		plantest.MustRun(t, dir, env, (*release.Plan).Build)
		odir, _ := outside(t)
		pdir := filepath.Join(dir, "dist", "tool_linux_amd64")
		if err := os.RemoveAll(pdir); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(odir, pdir); err != nil {
			t.Fatal(err)
		}
		before := releasetest.Snapshot(t, odir)
		out, err := plantest.Run(t, dir, env, (*release.Plan).Build)
		refused(t, "crossall", err, out, "dist/tool_linux_amd64")
		releasetest.AssertSame(t, "crossall", odir, before)
		out, err = plantest.Run(t, dir, env, func(p *release.Plan, ctx context.Context) error { return shards.Merge(ctx, p, []string{"shard"}) })
		refused(t, "merge", err, out, "dist/tool_linux_amd64")
		releasetest.AssertSame(t, "merge", odir, before)
	})
}
