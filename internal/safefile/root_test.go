//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostile is a root directory "dist" beside a directory "outside" holding
// files that no Root operation may change.
type hostile struct {
	base, root, outside string
	before              map[string]string
}

func newHostile(t *testing.T) *hostile {
	t.Helper()
	base := t.TempDir()
	h := &hostile{base: base, root: filepath.Join(base, "dist"), outside: filepath.Join(base, "outside")}
	for _, d := range []string{h.root, h.outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(h.outside, "secret"), []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(base, "beside"), []byte("also precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	h.before = snapshot(t, base, h.root)
	return h
}

// snapshot maps every entry below dir, except those below skip, to its
// type, mode and content, without following links.
func snapshot(t *testing.T, dir, skip string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		v := st.Mode().String()
		switch {
		case st.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += " " + string(data)
		case st.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			v += " -> " + target
		}
		out[p] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// untouched fails the test when anything outside the root changed.
func (h *hostile) untouched(t *testing.T) {
	t.Helper()
	after := snapshot(t, h.base, h.root)
	if !maps.Equal(h.before, after) {
		t.Errorf("outside the root changed:\n before %v\n after  %v", h.before, after)
	}
}

func (h *hostile) symlink(t *testing.T, target, rel string) {
	t.Helper()
	if err := os.Symlink(target, filepath.Join(h.root, filepath.FromSlash(rel))); err != nil {
		t.Fatal(err)
	}
}

func (h *hostile) open(t *testing.T, walk bool) *Root {
	t.Helper()
	r, err := OpenRoot(h.root)
	if err != nil {
		t.Fatal(err)
	}
	r.walk = walk
	t.Cleanup(func() { r.Close() })
	return r
}

// modes runs f once with openat2 (where the kernel has it) and once with
// the component walk.
func modes(t *testing.T, f func(t *testing.T, walk bool)) {
	for _, walk := range []bool{false, true} {
		name := "openat2"
		if walk {
			name = "walk"
		}
		t.Run(name, func(t *testing.T) { f(t, walk) })
	}
}

// wantSymlink fails unless err is a *SymlinkError for rel whose message
// names the link and says to remove it.
func wantSymlink(t *testing.T, op string, err error, root, rel string) {
	t.Helper()
	var se *SymlinkError
	if !errors.As(err, &se) || se.Rel != rel {
		t.Errorf("%s = %v, want a *SymlinkError for %s", op, err, rel)
		return
	}
	if want := root + "/" + rel + " is a symbolic link"; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "remove the link") {
		t.Errorf("%s = %q, want it to say %q and what to do", op, err, want)
	}
}

// TestRootSymlinks puts a link in each place a Root operation looks and
// runs every operation through it: each refuses with a *SymlinkError
// naming the link, removal removes the link itself, and nothing outside the
// root changes.
func TestRootSymlinks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(t *testing.T, h *hostile)
		rel    string // what the operations address
		link   string // the link they must name
		remove string // what Remove/RemoveAll get: the link itself
	}{
		{"file to an outside file", func(t *testing.T, h *hostile) { h.symlink(t, "../outside/secret", ".kiln-lock") }, ".kiln-lock", ".kiln-lock", ".kiln-lock"},
		{"file to an absolute outside file", func(t *testing.T, h *hostile) { h.symlink(t, filepath.Join(h.outside, "secret"), "artifacts.json") }, "artifacts.json", "artifacts.json", "artifacts.json"},
		{"dangling file link", func(t *testing.T, h *hostile) { h.symlink(t, "../outside/created-through-link", ".kiln-output") }, ".kiln-output", ".kiln-output", ".kiln-output"},
		{"directory to an outside directory", func(t *testing.T, h *hostile) { h.symlink(t, "../outside", "app_linux_amd64") }, "app_linux_amd64/app", "app_linux_amd64", "app_linux_amd64"},
		{"intermediate component", func(t *testing.T, h *hostile) {
			if err := os.MkdirAll(filepath.Join(h.root, "a", "b"), 0o755); err != nil {
				t.Fatal(err)
			}
			h.symlink(t, "../../../outside", "a/b/c")
		}, "a/b/c/d/file", "a/b/c", "a/b/c"},
		{"link to the root's parent", func(t *testing.T, h *hostile) { h.symlink(t, "..", "up") }, "up/beside", "up", "up"},
		{"link to the root itself", func(t *testing.T, h *hostile) { h.symlink(t, ".", "self") }, "self/x", "self", "self"},
		{"dangling directory link", func(t *testing.T, h *hostile) { h.symlink(t, "../outside/newdir", "stage") }, "stage/f", "stage", "stage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			modes(t, func(t *testing.T, walk bool) {
				h := newHostile(t)
				tt.setup(t, h)
				h.before = snapshot(t, h.base, h.root)
				r := h.open(t, walk)
				ops := map[string]func() error{
					"OpenFile(O_RDWR|O_CREATE)": func() error { return closed(r.OpenFile(tt.rel, os.O_RDWR|os.O_CREATE, 0o644)) },
					"OpenFile(O_WRONLY|O_TRUNC)": func() error {
						return closed(r.OpenFile(tt.rel, os.O_WRONLY|os.O_TRUNC, 0o644))
					},
					"Create":          func() error { return closed(r.Create(tt.rel, 0o644)) },
					"Open":            func() error { f, _, err := r.Open(tt.rel, 0); return closed(f, err) },
					"WriteFileAtomic": func() error { return r.WriteFileAtomic(tt.rel, []byte("overwritten"), 0o644) },
					"MkdirAll":        func() error { return r.MkdirAll(tt.rel, 0o755) },
					"CreateTemp in it": func() error {
						f, _, err := r.CreateTemp(tt.link, ".kiln-stage-*", 0o644)
						return closed(f, err)
					},
					"MkdirTemp in it": func() error { _, err := r.MkdirTemp(tt.link, ".kiln-stage-*"); return err },
					"ReadDir of it":   func() error { _, err := r.ReadDir(tt.link); return err },
				}
				if tt.rel != tt.link {
					// Through the link (Lstat and rename(2) of the link itself
					// are fine: they do not follow it).
					ops["Lstat"] = func() error { _, err := r.Lstat(tt.rel); return err }
					ops["Rename to"] = func() error {
						if err := r.WriteFileAtomic("src", []byte("x"), 0o644); err != nil {
							return err
						}
						return r.Rename("src", tt.rel)
					}
					ops["Rename from"] = func() error { return r.Rename(tt.rel, "dst") }
					ops["Remove"] = func() error { return r.Remove(tt.rel) }
				}
				for _, op := range slices.Sorted(maps.Keys(ops)) {
					err := within(t, 5*time.Second, ops[op])
					wantSymlink(t, op, err, h.root, tt.link)
				}
				h.untouched(t)

				// Removal removes the link itself, never what it points at.
				if err := r.RemoveAll(tt.rel); tt.rel != tt.link {
					wantSymlink(t, "RemoveAll(through the link)", err, h.root, tt.link)
				}
				if err := r.RemoveAll(tt.remove); err != nil {
					t.Errorf("RemoveAll(%s) = %v", tt.remove, err)
				}
				if _, err := os.Lstat(filepath.Join(h.root, tt.remove)); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("after RemoveAll(%s): Lstat = %v, want it gone", tt.remove, err)
				}
				delete(h.before, filepath.Join(h.root, tt.remove))
				h.untouched(t)
			})
		})
	}
}

// closed closes f when the open succeeded and returns err.
func closed(f *os.File, err error) error {
	if f != nil {
		f.Close()
	}
	return err
}

// TestRootSpecialFiles: a FIFO, a socket-like device and a directory in
// place of a file are refused quickly with a *NotRegularError, never
// opened in a way that blocks.
func TestRootSpecialFiles(t *testing.T) {
	t.Parallel()
	modes(t, func(t *testing.T, walk bool) {
		h := newHostile(t)
		if err := syscall.Mkfifo(filepath.Join(h.root, "fifo"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(h.root, "dir"), 0o755); err != nil {
			t.Fatal(err)
		}
		r := h.open(t, walk)
		for _, tt := range []struct {
			rel, kind string
			open      func(rel string) error
		}{
			{"fifo", "a named pipe (FIFO)", func(rel string) error { return closed(r.OpenFile(rel, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)) }},
			{"fifo", "a named pipe (FIFO)", func(rel string) error { return closed(r.OpenFile(rel, os.O_RDONLY, 0)) }},
			{"fifo", "a named pipe (FIFO)", func(rel string) error { f, _, err := r.Open(rel, 0); return closed(f, err) }},
			{"fifo", "a named pipe (FIFO)", func(rel string) error { return closed(r.OpenFile(rel, os.O_RDWR|os.O_TRUNC, 0)) }},
			{"dir", "a directory", func(rel string) error { return closed(r.OpenFile(rel, os.O_RDONLY, 0)) }},
			{"dir", "a directory", func(rel string) error { return closed(r.OpenFile(rel, os.O_WRONLY|os.O_CREATE, 0o644)) }},
		} {
			err := within(t, 5*time.Second, func() error { return tt.open(tt.rel) })
			var nr *NotRegularError
			if !errors.As(err, &nr) || nr.Kind != tt.kind || !strings.Contains(err.Error(), h.root+"/"+tt.rel+" is "+tt.kind) || !strings.Contains(err.Error(), "remove it") {
				t.Errorf("open %s = %v, want a *NotRegularError saying %s and what to do", tt.rel, err, tt.kind)
			}
		}
		// Create is exclusive: the FIFO is an existing entry, and named.
		var nr *NotRegularError
		if err := closed(r.Create("fifo", 0o644)); !errors.As(err, &nr) {
			t.Errorf("Create(fifo) = %v, want a *NotRegularError", err)
		}
		// A write replaces the FIFO by renaming over it, without opening it.
		if err := within(t, 5*time.Second, func() error { return r.WriteFileAtomic("fifo", []byte("ok"), 0o644) }); err != nil {
			t.Errorf("WriteFileAtomic over a FIFO = %v", err)
		}
		// A regular file where a directory is needed is named.
		if err := os.WriteFile(filepath.Join(h.root, "file"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := r.MkdirAll("file/sub", 0o755); err == nil || !strings.Contains(err.Error(), h.root+"/file") || !strings.Contains(err.Error(), "not a directory") {
			t.Errorf("MkdirAll(file/sub) = %v, want it to name %s/file as not a directory", err, h.root)
		}
		h.untouched(t)
	})
}

// TestRootHardLink: a file in the root that is a hard link to an outside
// file is never written in place (a *LinkedError, even with O_TRUNC), but
// may be replaced by an atomic write, which leaves the outside file alone.
func TestRootHardLink(t *testing.T) {
	t.Parallel()
	modes(t, func(t *testing.T, walk bool) {
		h := newHostile(t)
		if err := os.Link(filepath.Join(h.outside, "secret"), filepath.Join(h.root, ".kiln-lock")); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
		h.before = snapshot(t, h.base, h.root)
		r := h.open(t, walk)
		for _, flag := range []int{os.O_RDWR | os.O_CREATE, os.O_WRONLY | os.O_TRUNC, os.O_WRONLY | os.O_APPEND} {
			err := closed(r.OpenFile(".kiln-lock", flag, 0o644))
			var le *LinkedError
			if !errors.As(err, &le) || le.Links != 2 || !strings.Contains(err.Error(), h.root+"/.kiln-lock has 2 hard links") {
				t.Errorf("OpenFile(.kiln-lock, %#x) = %v, want a *LinkedError", flag, err)
			}
		}
		h.untouched(t)
		if f, err := r.OpenFile(".kiln-lock", os.O_RDONLY, 0); err != nil {
			t.Errorf("OpenFile(hard link, O_RDONLY) = %v, want reading allowed", err)
		} else {
			f.Close()
		}
		if err := r.WriteFileAtomic(".kiln-lock", []byte("lock"), 0o644); err != nil {
			t.Fatalf("WriteFileAtomic = %v", err)
		}
		h.untouched(t)
	})
}
