package outdir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cleanEnv is an environment with only KILN_OUT set.
func cleanEnv(out string) func(string) string {
	return func(k string) string {
		if k == "KILN_OUT" {
			return out
		}
		return ""
	}
}

// clean resolves the output directory of mod with getenv and cleans it.
func clean(mod string, getenv func(string) string) error {
	d, err := Resolve(mod, "", getenv)
	if err != nil {
		return err
	}
	return d.Clean(context.Background())
}

// TestClean: clean removes an output directory kiln created and refuses
// the module, its parents, a repository, a module, magefiles, symlinks to
// any of them and directories or files kiln did not create — removing
// nothing.
func TestClean(t *testing.T) {
	root := t.TempDir()
	mod := filepath.Join(root, "mod")
	for _, d := range []string{"dist/x", ".git/objects", "magefiles", "other/sub", "cmd/app", "empty"} {
		if err := os.MkdirAll(filepath.Join(mod, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range map[string]string{"go.mod": "module example.com/mod\n", "dist/.kiln-output": "", "file": "x",
		"other/sub/go.mod": "module example.com/sub\n", "cmd/app/main.go": "package main\n"} {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"up": "..", "self": ".", "git": ".git", "abs": root} {
		if err := os.Symlink(target, filepath.Join(mod, link)); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(mod, "stray"), 0o755)
	os.WriteFile(filepath.Join(mod, "stray", "artifacts.json"), []byte("not json"), 0o644)
	refuse := []string{".", "..", mod, root, "/", ".git", "magefiles", "other/sub", "cmd", "cmd/app", "up", "self", "git", "abs", "file", "empty", "stray"}
	for _, out := range refuse {
		err := clean(mod, cleanEnv(out))
		if err == nil || !strings.Contains(err.Error(), "not removed") {
			t.Errorf("Clean with KILN_OUT=%q = %v, want a refusal", out, err)
		}
	}
	for _, keep := range []string{"dist/x", ".git/objects", "magefiles", "other/sub/go.mod", "cmd/app/main.go", "file", "empty", "go.mod", "stray/artifacts.json"} {
		if _, err := os.Stat(filepath.Join(mod, keep)); err != nil {
			t.Fatalf("a refused Clean removed %s: %v", keep, err)
		}
	}
	// A bad KILN_LOCK is refused by clean as by every stage.
	badLock := func(k string) string { return map[string]string{"KILN_OUT": "dist", "KILN_LOCK": "maybe"}[k] }
	if err := clean(mod, badLock); err == nil || !strings.Contains(err.Error(), "KILN_LOCK") {
		t.Errorf("Clean with KILN_LOCK=maybe = %v, want the variable named", err)
	}
	if err := clean(mod, cleanEnv("dist")); err != nil {
		t.Fatalf("Clean of dist = %v", err)
	}
	if _, err := os.Stat(filepath.Join(mod, "dist")); !os.IsNotExist(err) {
		t.Errorf("Clean left dist: %v", err)
	}
	if err := clean(mod, cleanEnv("dist")); err != nil {
		t.Errorf("Clean of a missing dist = %v, want nil", err)
	}
}

// TestClaim: a build writes only into a directory it creates, an empty
// one, or one that carries kiln's marker or a manifest kiln wrote — never
// one whose only tie to kiln is a file named artifacts.json.
func TestClaim(t *testing.T) {
	mod := t.TempDir()
	for _, d := range []string{".git", "cmd/app", "empty", "mine", "stray", "strayjson", "linked"} {
		os.MkdirAll(filepath.Join(mod, d), 0o755)
	}
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/mod\n"), 0o644)
	os.WriteFile(filepath.Join(mod, "cmd/app/main.go"), []byte("package main\n"), 0o644)
	os.WriteFile(filepath.Join(mod, "mine/artifacts.json"), []byte(`{"format": "kiln-artifacts/v1", "artifacts": []}`), 0o644)
	os.WriteFile(filepath.Join(mod, "stray/artifacts.json"), []byte("not json"), 0o644)
	os.WriteFile(filepath.Join(mod, "strayjson/artifacts.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(mod, "afile"), []byte("x"), 0o644)
	os.Symlink(filepath.Join(mod, "afile"), filepath.Join(mod, "linked", MarkerName))
	os.WriteFile(filepath.Join(mod, "linked", "data"), []byte("x"), 0o644)
	for out, ok := range map[string]bool{".": false, "..": false, "/": false, ".git": false, "cmd": false, "afile": false,
		"stray": false, "strayjson": false, "linked": false, "new/dist": true, "empty": true, "mine": true} {
		d := Dir{Module: mod, Path: Abs(mod, out)}
		r, err := d.Claim()
		if err == nil {
			r.Close()
		}
		if ok != (err == nil) {
			t.Errorf("Claim(%q) = %v, want ok %v", out, err, ok)
		}
	}
	if _, err := os.Stat(filepath.Join(mod, "empty", MarkerName)); err != nil {
		t.Errorf("an empty directory taken as output lacks the marker: %v", err)
	}
}

// TestLockFail: with KILN_LOCK=fail a second run fails at once, naming
// the holder.
func TestLockFail(t *testing.T) {
	mod := t.TempDir()
	d, err := Resolve(mod, "", func(k string) string { return map[string]string{"KILN_LOCK": "fail"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	h, err := d.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	if _, err := d.Acquire(context.Background()); err == nil || !strings.Contains(err.Error(), "in use by another kiln run") || !strings.Contains(err.Error(), "pid") {
		t.Errorf("second lock = %v, want a LockError naming the holder", err)
	}
}
