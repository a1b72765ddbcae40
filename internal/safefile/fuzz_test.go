//go:build unix

package safefile

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzCheckRel: CheckRel accepts only canonical relative paths that stay
// below the root, and no Root operation on any path, accepted or not,
// reaches a file outside the root through a link or "..".
func FuzzCheckRel(f *testing.F) {
	for _, s := range []string{"a", "a/b.tar.gz", ".kiln-lock", "out/secret", "out", "in/../out/secret", "../outside/secret",
		"/etc/passwd", "a//b", "./a", "a/", "...", "..a", "a/..", "a\\b", "a\x00b", "é/ü", "in/file", "C:x", "//x"} {
		f.Add(s)
	}
	base := f.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{filepath.Join(root, "in"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			f.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("outside"), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "in", "file"), []byte("inside"), 0o644); err != nil {
		f.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, "out")); err != nil {
		f.Fatal(err)
	}
	r, err := OpenRoot(root)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		if err := CheckRel(rel); err == nil {
			parts := strings.Split(rel, "/")
			for _, p := range parts {
				if p == "" || p == "." || p == ".." || strings.ContainsAny(p, "\\\x00\n\r") {
					t.Fatalf("CheckRel(%q) = nil, but component %q is not a name", rel, p)
				}
			}
			if path.Clean(rel) != rel || path.IsAbs(rel) || filepath.IsAbs(rel) {
				t.Fatalf("CheckRel(%q) = nil for a path that is not clean and relative", rel)
			}
			if !Inside(root, filepath.Join(root, filepath.FromSlash(rel))) {
				t.Fatalf("CheckRel(%q) = nil for a path outside the root", rel)
			}
		}
		for _, walk := range []bool{false, true} {
			r.walk = walk
			f, _, err := r.Open(rel, 0)
			if err == nil {
				data := make([]byte, 16)
				n, _ := f.Read(data)
				f.Close()
				if string(data[:n]) != "inside" {
					t.Fatalf("Open(%q) read %q, a file outside the root", rel, data[:n])
				}
			}
			if st, err := r.Lstat(rel); err == nil && strings.HasPrefix(rel, "out/") {
				t.Fatalf("Lstat(%q) = %v through the link", rel, st.Name())
			}
			if _, err := r.ReadDir(rel); err == nil && (rel == "out" || strings.HasPrefix(rel, "out/")) {
				t.Fatalf("ReadDir(%q) listed the outside directory", rel)
			}
		}
	})
}
