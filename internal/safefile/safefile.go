// Package safefile opens files that kiln reads on someone else's say-so
// (a manifest entry, a configured path) without trusting them: only
// regular files of bounded size, only inside a given root after symlinks
// are resolved, never devices, FIFOs or /proc.
//
// It also holds the one rule for every path kiln writes (Root): inside
// the output directory no component is a symbolic link and no file is
// reached through one; files are created exclusively or replaced by
// rename, never written through a link or a second hard link; special
// files are refused without blocking. OpenAppend is the rule for the files
// a CI runner names (GITHUB_OUTPUT): regular files only, opened without
// blocking.
package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// CheckRel accepts a relative path in canonical slash form that stays
// below its root: "a/b.tar.gz", not "", ".", "/x", "../x", "a/../b",
// "a//b", "a\b" or a name with a NUL or a newline.
func CheckRel(rel string) error {
	switch {
	case rel == "" || rel == ".":
		return fmt.Errorf("empty path")
	case strings.ContainsAny(rel, "\\\x00\n\r"):
		return fmt.Errorf("path %q holds a backslash, NUL or newline", rel)
	case path.IsAbs(rel) || filepath.IsAbs(rel) || filepath.VolumeName(rel) != "":
		return fmt.Errorf("path %q is absolute", rel)
	case path.Clean(rel) != rel:
		return fmt.Errorf("path %q is not clean (want %q)", rel, path.Clean(rel))
	case rel == ".." || strings.HasPrefix(rel, "../"):
		return fmt.Errorf("path %q leaves its directory", rel)
	}
	return nil
}

// Within returns root/rel with symlinks resolved, when rel is a canonical
// relative path and what it resolves to is inside root (also resolved).
func Within(root, rel string) (string, error) {
	if err := CheckRel(rel); err != nil {
		return "", err
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(filepath.Join(realRoot, filepath.FromSlash(rel)))
	if err != nil {
		return "", err
	}
	if !Inside(realRoot, real) {
		return "", fmt.Errorf("path %q resolves to %s, outside %s", rel, real, realRoot)
	}
	return real, nil
}

// Inside reports whether path is root or below it (both clean, absolute).
func Inside(root, p string) bool {
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

// OpenWithin opens root/rel under the rules of Within and Open.
func OpenWithin(root, rel string, max int64) (*os.File, fs.FileInfo, error) {
	real, err := Within(root, rel)
	if err != nil {
		return nil, nil, err
	}
	return Open(real, max)
}
