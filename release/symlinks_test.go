package release

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// snapshot records every file under dir: its bytes and mode (links:
// their target), to prove that nothing outside the output directory was
// written.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			files[rel] = "link " + target
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[rel] = fi.Mode().String() + " " + string(data)
		default:
			files[rel] = fi.Mode().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// assertSame fails when dir's files differ from before.
func assertSame(t *testing.T, what, dir string, before map[string]string) {
	t.Helper()
	after := snapshot(t, dir)
	if !maps.Equal(before, after) {
		var changed []string
		for k := range maps.Keys(after) {
			if before[k] != after[k] {
				changed = append(changed, k)
			}
		}
		for k := range maps.Keys(before) {
			if _, ok := after[k]; !ok {
				changed = append(changed, k+" (removed)")
			}
		}
		slices.Sort(changed)
		t.Errorf("%s changed files it must not touch in %s: %s", what, dir, strings.Join(changed, ", "))
	}
}

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
