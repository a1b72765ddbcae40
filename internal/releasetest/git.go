package releasetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// Git runs git in dir with a fixed identity and dates.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_DATE=2025-05-06T07:08:09Z", "GIT_COMMITTER_DATE=2025-05-06T07:08:09Z")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// GitRepo makes dir a git repository with one commit of everything in it
// (dist/ ignored) and returns the commit.
func GitRepo(t testing.TB, dir string) string {
	t.Helper()
	testtool.Need(t, "git")
	t.Setenv("SOURCE_DATE_EPOCH", "")
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("/dist/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Git(t, dir, "init", "-q", "-b", "main")
	Git(t, dir, "add", "-A")
	Git(t, dir, "commit", "-q", "-m", "first")
	return Git(t, dir, "rev-parse", "HEAD")
}
