package outdir

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
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
	for _, out := range []string{"new/dist", "empty", "mine"} {
		if data, err := os.ReadFile(filepath.Join(mod, out, IgnoreName)); err != nil || string(data) != IgnoreText {
			t.Errorf("%s/%s = %q (%v), want %q", out, IgnoreName, data, err, IgnoreText)
		}
	}
}

// TestClaimIgnoresItself: the output directory makes git ignore it, so a
// committed tree stays clean whatever kiln writes; a .gitignore that is
// there already (the user's, or a symlink) is neither changed nor
// followed.
func TestClaimIgnoresItself(t *testing.T) {
	testtool.Need(t, "git")
	mod := t.TempDir()
	os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/mod\n"), 0o644)
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.invalid", "-c", "user.name=t"}, args...)...)
		cmd.Dir = mod
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	git("init", "-q")
	git("add", "go.mod")
	git("commit", "-qm", "init")
	d := Dir{Module: mod, Path: Abs(mod, "dist")}
	claim := func(d Dir) error {
		r, err := d.Claim()
		if err == nil {
			r.Close()
		}
		return err
	}
	if err := claim(d); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(d.Path, "mod_linux_amd64"), 0o755)
	os.WriteFile(filepath.Join(d.Path, "mod_linux_amd64", "mod"), []byte("binary"), 0o755)
	os.WriteFile(filepath.Join(d.Path, "artifacts.json"), []byte("{}"), 0o644)
	if st := git("status", "--porcelain"); st != "" {
		t.Errorf("git status after kiln wrote its output:\n%s\nwant a clean tree", st)
	}
	// Negative: without the file, the output shows as untracked.
	os.Remove(filepath.Join(d.Path, IgnoreName))
	if st := git("status", "--porcelain"); !strings.Contains(st, "?? dist/") {
		t.Errorf("git status without %s = %q, want dist/ untracked", IgnoreName, st)
	}
	// An owned directory without the file gets it on the next claim.
	if err := claim(d); err != nil {
		t.Fatal(err)
	}
	if st := git("status", "--porcelain"); st != "" {
		t.Errorf("git status after claiming again:\n%s", st)
	}

	// The user's own file and a symlink stay as they are.
	mine := filepath.Join(mod, "mine")
	os.MkdirAll(mine, 0o755)
	os.WriteFile(filepath.Join(mine, MarkerName), nil, 0o644)
	os.WriteFile(filepath.Join(mine, IgnoreName), []byte("*.tmp\n"), 0o644)
	target := filepath.Join(t.TempDir(), "elsewhere")
	linked := filepath.Join(mod, "linked")
	os.MkdirAll(linked, 0o755)
	os.WriteFile(filepath.Join(linked, MarkerName), nil, 0o644)
	os.Symlink(target, filepath.Join(linked, IgnoreName))
	for _, out := range []string{"mine", "linked"} {
		if err := claim(Dir{Module: mod, Path: Abs(mod, out)}); err != nil {
			t.Errorf("Claim(%s) = %v", out, err)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(mine, IgnoreName)); string(data) != "*.tmp\n" {
		t.Errorf("the user's %s became %q", IgnoreName, data)
	}
	if _, err := os.Lstat(target); err == nil {
		t.Errorf("Claim wrote through a symlinked %s", IgnoreName)
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

// TestAcquireManifest: the manifest of the acquired directory is read
// (empty before the first build); one that cannot be read is an error
// that leaves the directory unlocked.
func TestAcquireManifest(t *testing.T) {
	mod := t.TempDir()
	d, err := Resolve(mod, "", func(k string) string { return map[string]string{"KILN_LOCK": "fail"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	h, m, err := d.AcquireManifest(context.Background())
	if err != nil || len(m.Artifacts) != 0 {
		t.Fatalf("AcquireManifest of a new directory = %+v, %v; want an empty manifest", m, err)
	}
	if _, _, err := d.AcquireManifest(context.Background()); err == nil || !strings.Contains(err.Error(), "in use by another kiln run") {
		t.Errorf("a second AcquireManifest = %v, want the lock refused", err)
	}
	h.Release()
	manifest := filepath.Join(d.Path, "artifacts.json")
	if err := os.WriteFile(manifest, []byte(`{"format": "kiln-artifacts/v1", "artifacts": [{"path": "tool", "kind": "binary"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	h, m, err = d.AcquireManifest(context.Background())
	if err != nil || len(m.Artifacts) != 1 || m.Artifacts[0].Path != "tool" {
		t.Fatalf("AcquireManifest = %+v, %v; want the manifest's one entry", m, err)
	}
	h.Release()
	if err := os.WriteFile(manifest, []byte("not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.AcquireManifest(context.Background()); err == nil || !strings.Contains(err.Error(), "manifest") {
		t.Errorf("AcquireManifest of a damaged manifest = %v, want an error naming it", err)
	}
	h, err = d.Acquire(context.Background())
	if err != nil {
		t.Fatalf("after a damaged manifest the directory stays locked: %v", err)
	}
	h.Release()
}
