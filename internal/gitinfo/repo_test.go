package gitinfo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

func TestRemoteURI(t *testing.T) {
	for in, want := range map[string]string{
		"https://github.com/org/repo":               "git+https://github.com/org/repo",
		"https://x-access-token:tok@host/org/r.git": "git+https://host/org/r.git",
		"git@github.com:org/repo.git":               "git+ssh://github.com/org/repo.git",
		"ssh://git@host:2222/org/r":                 "git+ssh://host:2222/org/r",
		"/srv/git/r.git":                            "git+file:///srv/git/r.git",
	} {
		if got := RemoteURI(in); got != want {
			t.Errorf("RemoteURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCloneAt: a module in a subdirectory of a repository is cloned at an
// earlier commit, its counterpart returned; a commit the repository lacks
// is refused; Changes lists a modified tracked file.
func TestCloneAt(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	repo := t.TempDir()
	mod := filepath.Join(repo, "mod")
	os.MkdirAll(mod, 0o755)
	os.WriteFile(filepath.Join(mod, "f"), []byte("one\n"), 0o644)
	runGit(t, repo, "init", "-q")
	runGit(t, repo, "add", "-A")
	runGit(t, repo, "commit", "-q", "-m", "one")
	first, err := Head(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(mod, "f"), []byte("two\n"), 0o644)
	if err := Clean(ctx, mod); err == nil || !strings.Contains(err.Error(), "modified: mod/f") {
		t.Errorf("Clean of a modified tree = %v; want mod/f modified", err)
	}
	runGit(t, repo, "commit", "-q", "-am", "two")
	if err := Clean(ctx, mod); err != nil {
		t.Errorf("Clean of a clean tree = %v", err)
	}
	if _, err := CloneAt(ctx, mod, "--pathspec-from-file=/etc/passwd", filepath.Join(t.TempDir(), "src")); err == nil || !strings.Contains(err.Error(), "object name") {
		t.Errorf("CloneAt of an option-like commit = %v, want a refusal", err)
	}

	dst := filepath.Join(t.TempDir(), "src")
	got, err := CloneAt(ctx, mod, first, dst)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(got, "f")); got != filepath.Join(dst, "mod") || string(data) != "one\n" {
		t.Errorf("CloneAt = %s with f %q (%v), want %s/mod at the first commit", got, data, err, dst)
	}
	if _, err := CloneAt(ctx, mod, strings.Repeat("0", 40), filepath.Join(t.TempDir(), "src")); err == nil || !strings.Contains(err.Error(), "not in this repository") {
		t.Errorf("CloneAt of a missing commit = %v", err)
	}
}
