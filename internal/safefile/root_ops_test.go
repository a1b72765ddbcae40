//go:build unix

package safefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRootOperations: what the operations do on an ordinary tree, in both
// resolution modes.
func TestRootOperations(t *testing.T) {
	t.Parallel()
	modes(t, func(t *testing.T, walk bool) {
		h := newHostile(t)
		r := h.open(t, walk)
		read := func(rel string) string {
			t.Helper()
			data, err := os.ReadFile(filepath.Join(h.root, rel))
			if err != nil {
				t.Fatal(err)
			}
			return string(data)
		}

		if err := r.MkdirAll("app_linux_amd64/sub", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := r.MkdirAll("app_linux_amd64/sub", 0o755); err != nil {
			t.Errorf("MkdirAll(existing) = %v", err)
		}
		f, err := r.Create("app_linux_amd64/app", 0o755)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("binary")
		f.Close()
		if err := closed(r.Create("app_linux_amd64/app", 0o755)); !errors.Is(err, fs.ErrExist) {
			t.Errorf("Create(existing) = %v, want fs.ErrExist", err)
		}
		if err := closed(r.Create("missing/app", 0o644)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Create(missing/app) = %v, want fs.ErrNotExist", err)
		}

		if err := r.WriteFileAtomic("deep/new/artifacts.json", []byte("{}\n"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := r.WriteFileAtomic("deep/new/artifacts.json", []byte("{\"v\":2}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := read("deep/new/artifacts.json"); got != "{\"v\":2}\n" {
			t.Errorf("after two atomic writes: %q", got)
		}
		st, err := r.Lstat("deep/new/artifacts.json")
		if err != nil || st.Mode() != 0o644 || st.Size() != 8 || st.Name() != "artifacts.json" || st.ModTime().IsZero() {
			t.Errorf("Lstat = %v %v, want a 0644 file of 8 bytes", st, err)
		}
		boom := errors.New("boom")
		if err := r.WriteAtomic("deep/new/artifacts.json", 0o644, func(w io.Writer) error {
			w.Write([]byte("partial"))
			return boom
		}); !errors.Is(err, boom) {
			t.Errorf("WriteAtomic(failing fill) = %v", err)
		}
		if got := read("deep/new/artifacts.json"); got != "{\"v\":2}\n" {
			t.Errorf("a failed atomic write changed the file: %q", got)
		}
		if list, _ := os.ReadDir(filepath.Join(h.root, "deep/new")); len(list) != 1 {
			t.Errorf("a failed atomic write left %d entries, want the file alone", len(list))
		}

		w, err := r.OpenFile("app_linux_amd64/app", os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			t.Fatal(err)
		}
		w.WriteString("v2")
		w.Close()
		if got := read("app_linux_amd64/app"); got != "v2" {
			t.Errorf("after O_TRUNC write: %q", got)
		}
		rf, info, err := r.Open("app_linux_amd64/app", 0)
		if err != nil || info.Size() != 2 {
			t.Fatalf("Open = %v, %v", info, err)
		}
		rf.Close()
		var tl *TooLargeError
		if _, _, err := r.Open("app_linux_amd64/app", 1); !errors.As(err, &tl) {
			t.Errorf("Open(max 1) = %v, want a *TooLargeError", err)
		}

		stage, err := r.MkdirTemp(".", ".kiln-stage-*")
		if err != nil || !regexp.MustCompile(`^\.kiln-stage-\d+$`).MatchString(stage) {
			t.Fatalf("MkdirTemp = %q, %v", stage, err)
		}
		tf, tmpRel, err := r.CreateTemp(stage, "x-*.tmp", 0o600)
		if err != nil || !regexp.MustCompile(`^\.kiln-stage-\d+/x-\d+\.tmp$`).MatchString(tmpRel) {
			t.Fatalf("CreateTemp = %q, %v", tmpRel, err)
		}
		tf.Close()
		if err := r.Rename(tmpRel, "deep/renamed"); err != nil {
			t.Errorf("Rename = %v", err)
		}
		if err := r.Rename(stage, "stage-final"); err != nil {
			t.Errorf("Rename(dir) = %v", err)
		}

		list, err := r.ReadDir(".")
		var names []string
		for _, e := range list {
			names = append(names, e.Name())
		}
		if want := "app_linux_amd64 deep stage-final"; err != nil || strings.Join(names, " ") != want {
			t.Errorf("ReadDir(.) = %v, %v, want %s", names, err, want)
		}

		if err := r.Remove("deep/renamed"); err != nil {
			t.Errorf("Remove(file) = %v", err)
		}
		if err := r.Remove("stage-final"); err != nil {
			t.Errorf("Remove(empty dir) = %v", err)
		}
		if err := r.Remove("deep"); err == nil {
			t.Error("Remove(non-empty dir) = nil")
		}
		// A tree holding links out of the root loses the links, not their
		// targets.
		if err := os.Symlink(h.outside, filepath.Join(h.root, "deep/new/out")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(h.outside, "secret"), filepath.Join(h.root, "deep/secret")); err != nil {
			t.Fatal(err)
		}
		if err := r.RemoveAll("deep"); err != nil {
			t.Errorf("RemoveAll = %v", err)
		}
		if err := r.RemoveAll("deep"); err != nil {
			t.Errorf("RemoveAll(missing) = %v", err)
		}
		if err := r.RemoveAll("missing/below"); err != nil {
			t.Errorf("RemoveAll(missing parent) = %v", err)
		}
		if _, err := os.Lstat(filepath.Join(h.root, "deep")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("deep still there: %v", err)
		}
		h.untouched(t)
	})
}

// TestRootBadPaths: every operation refuses a path that is not a
// canonical relative path, before touching anything.
func TestRootBadPaths(t *testing.T) {
	t.Parallel()
	h := newHostile(t)
	r := h.open(t, false)
	for _, rel := range []string{"", ".", "..", "../outside/secret", "/etc/passwd", "a/../../x", "a//b", "a/./b", "a\\b", "a/", "x\x00y"} {
		for name, op := range map[string]func() error{
			"MkdirAll":        func() error { return r.MkdirAll(rel, 0o755) },
			"OpenFile":        func() error { return closed(r.OpenFile(rel, os.O_RDWR|os.O_CREATE, 0o644)) },
			"WriteFileAtomic": func() error { return r.WriteFileAtomic(rel, nil, 0o644) },
			"Remove":          func() error { return r.Remove(rel) },
			"RemoveAll":       func() error { return r.RemoveAll(rel) },
			"Rename":          func() error { return r.Rename(rel, "x") },
			"Lstat":           func() error { _, err := r.Lstat(rel); return err },
		} {
			var pe *fs.PathError
			var le *os.LinkError
			if err := op(); !errors.As(err, &pe) && !errors.As(err, &le) {
				t.Errorf("%s(%q) = %v, want a path error", name, rel, err)
			}
		}
	}
	for _, pattern := range []string{"a/b*", "..", "x\x00"} {
		if _, err := r.MkdirTemp(".", pattern); err == nil {
			t.Errorf("MkdirTemp(%q) = nil", pattern)
		}
		if _, _, err := r.CreateTemp(".", pattern, 0o644); err == nil {
			t.Errorf("CreateTemp(%q) = nil", pattern)
		}
	}
	h.untouched(t)
	if list, _ := os.ReadDir(h.root); len(list) != 0 {
		t.Errorf("bad paths created %v", list)
	}
}

// TestOpenRoot: the root must be an existing directory; a link as the root
// itself is the caller's decision and is followed.
func TestOpenRoot(t *testing.T) {
	t.Parallel()
	h := newHostile(t)
	if _, err := OpenRoot(filepath.Join(h.base, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenRoot(missing) = %v", err)
	}
	if _, err := OpenRoot(filepath.Join(h.base, "beside")); err == nil {
		t.Error("OpenRoot(a file) = nil")
	}
	link := filepath.Join(h.base, "dist-link")
	if err := os.Symlink("dist", link); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRoot(link)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.WriteFileAtomic("x", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(h.root, "x")); err != nil || r.Path("x") != link+"/x" || r.Name() != link {
		t.Errorf("write through the root's own link: %v, Path %s", err, r.Path("x"))
	}
}
