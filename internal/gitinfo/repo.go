package gitinfo

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// CloneAt clones the repository that holds dir into dst, checks out
// commit (a full object name, see ParseCommit) there and returns dir's
// counterpart in the clone.
func CloneAt(ctx context.Context, dir, commit, dst string) (string, error) {
	if _, err := ParseCommit(commit); err != nil {
		return "", err
	}
	top, err := Toplevel(ctx, dir)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	sub, err := filepath.Rel(top, real)
	if err != nil {
		return "", err
	}
	if err := Clone(ctx, top, dst); err != nil {
		return "", err
	}
	if err := Checkout(ctx, dst, commit); err != nil {
		return "", fmt.Errorf("the commit %s is not in this repository: %w", commit, err)
	}
	return filepath.Join(dst, sub), nil
}

// SourceURI is the source repository of the tree at dir in SLSA's form:
// git remote origin without credentials ("git+https://github.com/org/repo"),
// else the repository's directory as a file URI.
func SourceURI(ctx context.Context, dir string) string {
	git := func(args ...string) string {
		out, _ := Git(ctx, dir, args...)
		return strings.TrimSpace(out)
	}
	if remote := git("remote", "get-url", "origin"); remote != "" {
		return RemoteURI(remote)
	}
	top := cmp.Or(git("rev-parse", "--show-toplevel"), dir)
	return "git+" + (&url.URL{Scheme: "file", Path: filepath.ToSlash(top)}).String()
}

// RemoteURI turns a git remote into a git+ URI without user or password:
// "https://tok@host/r" → "git+https://host/r", "git@host:org/r.git" →
// "git+ssh://host/org/r.git", a local path → "git+file:///path".
func RemoteURI(remote string) string {
	if u, err := url.Parse(remote); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		u.User = nil
		return "git+" + strings.TrimPrefix(u.String(), "git+")
	}
	if host, path, ok := strings.Cut(remote, ":"); ok && !strings.Contains(host, "/") && len(host) > 1 {
		if i := strings.LastIndex(host, "@"); i >= 0 {
			host = host[i+1:]
		}
		return "git+ssh://" + host + "/" + strings.TrimPrefix(path, "/")
	}
	abs, err := filepath.Abs(remote)
	if err != nil {
		abs = remote
	}
	return "git+" + (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}
