//go:build unix

package outdir

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCommit: staged files move into the directory, subdirectories made;
// a failure takes back what moved; a link or a FIFO where a file goes is
// refused, and nothing is written through the link.
func TestCommit(t *testing.T) {
	d := Dir{Path: t.TempDir()}
	h, err := d.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	stage, err := h.Stage("stage")
	if err != nil || !strings.HasPrefix(stage, Prefix+"stage-") {
		t.Fatalf("Stage = %s, %v", stage, err)
	}
	put := func(rel string) {
		if err := h.Root.WriteFileAtomic(stage+"/"+rel, []byte(rel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("a")
	put("p/b")
	if _, err := h.Commit(stage, []string{"a", "missing", "p/b"}); err == nil {
		t.Fatal("Commit of a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(d.Path, "a")); !os.IsNotExist(err) {
		t.Errorf("a failed Commit left a: %v", err)
	}
	put("a")
	moved, err := h.Commit(stage, []string{"a", "p/b"})
	if err != nil || len(moved) != 2 {
		t.Fatalf("Commit = %v, %v", moved, err)
	}
	if data, err := os.ReadFile(filepath.Join(d.Path, "p", "b")); string(data) != "p/b" {
		t.Errorf("p/b = %q, %v", data, err)
	}
	h.Undo(moved)
	if _, err := os.Stat(filepath.Join(d.Path, "a")); !os.IsNotExist(err) {
		t.Errorf("Undo left a: %v", err)
	}

	outside := t.TempDir()
	victim := filepath.Join(outside, "victim")
	os.WriteFile(victim, []byte("the user's"), 0o644)
	os.Symlink(victim, filepath.Join(d.Path, "a"))
	os.Symlink(outside, filepath.Join(d.Path, "q"))
	if err := syscall.Mkfifo(filepath.Join(d.Path, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]string{"a": "symbolic link", "q/b": "symbolic link", "fifo": "named pipe"} {
		put(rel)
		if _, err := h.Commit(stage, []string{rel}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Commit of %s over a %s = %v, want a refusal", rel, want, err)
		}
	}
	if data, _ := os.ReadFile(victim); string(data) != "the user's" {
		t.Errorf("Commit wrote through a link: %q", data)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 1 {
		t.Errorf("Commit wrote into a linked directory: %d entries", len(ents))
	}
}

// TestPrepare: the directories of the files a tool writes by path are
// made, once each; a link or a FIFO in place of a file, or a directory
// that is a link, is refused, each named under the stage's heading, and
// nothing is made through the link.
func TestPrepare(t *testing.T) {
	d := Dir{Path: t.TempDir()}
	h, err := d.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Release()
	files := []string{"p/a", "p/.a.kiln-stamp", "q/b", "q/.b.kiln-stamp", "c"}
	if err := h.Prepare("build", files...); err != nil {
		t.Fatalf("Prepare in an empty directory = %v", err)
	}
	for _, dir := range []string{"p", "q"} {
		if fi, err := os.Lstat(filepath.Join(d.Path, dir)); err != nil || !fi.IsDir() {
			t.Errorf("Prepare did not make %s: %v", dir, err)
		}
	}
	os.WriteFile(filepath.Join(d.Path, "c"), []byte("an earlier build"), 0o644)
	if err := h.Prepare("build", files...); err != nil {
		t.Errorf("Prepare over regular files = %v, want none", err)
	}

	outside := t.TempDir()
	os.Symlink(filepath.Join(outside, "victim"), filepath.Join(d.Path, "p", "a"))
	if err := syscall.Mkfifo(filepath.Join(d.Path, "p", ".a.kiln-stamp"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(d.Path, "q"))
	os.Symlink(outside, filepath.Join(d.Path, "q"))
	err = h.Prepare("build", append(files, "r/c")...)
	if err == nil {
		t.Fatal("Prepare over a link, a FIFO and a linked directory succeeded")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"build: refusing to write into " + d.Name() + ": 3 problem(s):", "p/a", "symbolic link", "named pipe", "q"} {
		if !strings.Contains(msg, want) {
			t.Errorf("Prepare = %q, want %q in it", msg, want)
		}
	}
	if strings.Contains(msg, "q/b") {
		t.Errorf("Prepare = %q: a file under a directory it could not make is checked too", msg)
	}
	if fi, err := os.Lstat(filepath.Join(d.Path, "r")); err != nil || !fi.IsDir() {
		t.Errorf("Prepare did not make r beside the refusals: %v", err)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("Prepare wrote through a link: %d entries outside", len(ents))
	}
}
