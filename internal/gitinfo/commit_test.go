package gitinfo

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

func TestValidCommit(t *testing.T) {
	sha1 := strings.Repeat("0123456789", 4)
	sha256 := strings.Repeat("abcdef0123456789", 4)
	for _, ok := range []string{sha1, sha256, strings.Repeat("f", 40)} {
		if !ValidCommit(ok) {
			t.Errorf("ValidCommit(%q) = false", ok)
		}
		if got, err := ParseCommit(ok); got != ok || err != nil {
			t.Errorf("ParseCommit(%q) = %q, %v", ok, got, err)
		}
	}
	for _, bad := range []string{"", "HEAD", "main", "v1.2.3", sha1[:39], sha1 + "0", sha1[:12], strings.ToUpper(sha256[:40]),
		"--pathspec-from-file=/etc/passwd", "-" + sha1[1:], sha1[:39] + "g", sha256[:63] + "\n", "HEAD~1", sha1 + "^{commit}", " " + sha1[1:]} {
		if ValidCommit(bad) {
			t.Errorf("ValidCommit(%q) = true", bad)
		}
		_, err := ParseCommit(bad)
		var ce *CommitError
		if !errors.As(err, &ce) || ce.Value != bad || !strings.Contains(err.Error(), "not a full git object name") {
			t.Errorf("ParseCommit(%q) = %v, want a *CommitError", bad, err)
		}
	}
}

// FuzzParseCommit: whatever a manifest holds, ParseCommit accepts exactly
// 40 or 64 lower-case hex digits, and nothing it accepts can be read by
// git as an option.
func FuzzParseCommit(f *testing.F) {
	for _, s := range []string{"", strings.Repeat("a", 40), strings.Repeat("0", 64), "--output=/tmp/x", "-c", "HEAD"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCommit(s)
		if err != nil {
			if got != "" || !strings.Contains(err.Error(), "commit ") {
				t.Fatalf("ParseCommit(%q) = %q, %v", s, got, err)
			}
			return
		}
		if got != s || len(s) != 40 && len(s) != 64 || strings.HasPrefix(s, "-") || strings.Trim(s, "0123456789abcdef") != "" {
			t.Fatalf("ParseCommit accepted %q", s)
		}
	})
}

// TestCheckoutRefusesOptions is issue 16's case 5: a manifest whose commit
// is "--pathspec-from-file=<secret>" made git print the secret. Checkout
// and HasCommit refuse it before git runs (with no git on PATH, running it
// would fail differently), and a real commit still checks out.
func TestCheckoutRefusesOptions(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	dir := t.TempDir()
	runGit(t, dir, "init", "-q")
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("the-secret-line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, "add", ".")
	runGit(t, dir, "commit", "-qm", "one")
	head, err := Head(ctx, dir)
	if err != nil || !ValidCommit(head) {
		t.Fatalf("Head = %q, %v", head, err)
	}
	hostile := "--pathspec-from-file=" + secret

	// The hazard, with git itself: the value read as an option.
	if _, err := Git(ctx, dir, "-c", "advice.detachedHead=false", "checkout", "--quiet", hostile); err == nil || !strings.Contains(err.Error(), "the-secret-line") {
		t.Fatalf("unchecked git checkout %s = %v; expected git to leak the file (the case this test guards)", hostile, err)
	}

	t.Setenv("PATH", t.TempDir())
	for name, call := range map[string]func() error{
		"Checkout":  func() error { return Checkout(ctx, dir, hostile) },
		"HasCommit": func() error { _, err := HasCommit(ctx, dir, hostile); return err },
	} {
		err := call()
		var ce *CommitError
		if !errors.As(err, &ce) || strings.Contains(err.Error(), "the-secret-line") {
			t.Errorf("%s(%q) = %v, want a *CommitError before git runs", name, hostile, err)
		}
	}
}

// TestClone clones and checks out a commit; an unknown commit is named.
func TestClone(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	src := t.TempDir()
	runGit(t, src, "init", "-q")
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, src, "add", ".")
	runGit(t, src, "commit", "-qm", "one")
	first, _ := Head(ctx, src)
	if err := os.WriteFile(filepath.Join(src, "a.txt"), []byte("two"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, src, "commit", "-qam", "two")

	dst := filepath.Join(t.TempDir(), "clone")
	if err := Clone(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	if ok, err := HasCommit(ctx, dst, first); !ok || err != nil {
		t.Errorf("HasCommit(first) = %v, %v", ok, err)
	}
	missing := strings.Repeat("0", 40)
	if ok, err := HasCommit(ctx, dst, missing); ok || err != nil {
		t.Errorf("HasCommit(missing) = %v, %v", ok, err)
	}
	if err := Checkout(ctx, dst, first); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dst, "a.txt")); string(data) != "one" {
		t.Errorf("checked out a.txt = %q, want the first commit's", data)
	}
	if head, _ := Head(ctx, dst); head != first {
		t.Errorf("Head after Checkout = %s, want %s", head, first)
	}
	if err := Checkout(ctx, dst, missing); err == nil {
		t.Error("Checkout(missing commit) = nil")
	}
	if top, err := Toplevel(ctx, filepath.Join(dst)); err != nil || !same(top, dst) {
		t.Errorf("Toplevel = %q, %v", top, err)
	}
}
