package gitinfo

import (
	"context"
	"fmt"
	"path/filepath"
)

// A CommitError reports a commit that is not a full git object name, for
// example one read from a manifest that someone edited.
type CommitError struct {
	Value string
}

func (e *CommitError) Error() string {
	return fmt.Sprintf("commit %q is not a full git object name (40 or 64 lower-case hexadecimal digits, as `git rev-parse HEAD` prints)", e.Value)
}

// ValidCommit reports whether s is a full git object name: 40 (SHA-1) or
// 64 (SHA-256) lower-case hexadecimal digits. Nothing else is accepted, not
// an abbreviation, a ref name, "HEAD~1" or upper case: a commit that came
// from a file (a manifest, a provenance) is passed to git only in this
// form, so it can never be read as an option or a revision expression.
func ValidCommit(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// ParseCommit returns s when ValidCommit(s), else a *CommitError. The
// caller adds where s came from.
func ParseCommit(s string) (string, error) {
	if !ValidCommit(s) {
		return "", &CommitError{Value: s}
	}
	return s, nil
}

// Every function below that passes a revision or a path to git validates
// it or puts it after --end-of-options or "--", so a value starting with
// "-" is never parsed as an option.

// Toplevel returns the top directory of the work tree holding dir.
func Toplevel(ctx context.Context, dir string) (string, error) {
	return Git(ctx, dir, "rev-parse", "--show-toplevel")
}

// Head returns the full object name of the commit checked out in dir.
func Head(ctx context.Context, dir string) (string, error) {
	return Git(ctx, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", "HEAD^{commit}")
}

// HasCommit reports whether the repository of dir holds commit, which must
// be a full object name (ParseCommit).
func HasCommit(ctx context.Context, dir, commit string) (bool, error) {
	if _, err := ParseCommit(commit); err != nil {
		return false, err
	}
	if _, err := Git(ctx, dir, "cat-file", "-e", "--end-of-options", commit+"^{commit}"); err != nil {
		return false, nil
	}
	return true, nil
}

// Clone clones the repository at src into the new directory dst without
// checking anything out (Checkout does that). Both are paths, passed after
// "--".
func Clone(ctx context.Context, src, dst string) error {
	_, err := Git(ctx, filepath.Dir(dst), "clone", "--quiet", "--no-checkout", "--", src, dst)
	return err
}

// Checkout checks out commit in the work tree dir, detached. commit must
// be a full object name (ParseCommit); anything else is refused before git
// runs. That check is the guarantee here: git checkout (2.39) does not
// honour --end-of-options, so the commit is followed by "--" only, which
// makes it a revision, never a path.
func Checkout(ctx context.Context, dir, commit string) error {
	if _, err := ParseCommit(commit); err != nil {
		return err
	}
	_, err := Git(ctx, dir, "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit, "--")
	return err
}
