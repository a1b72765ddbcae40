package safefile

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestOpenat2 checks that the one-call resolution is in use on this kernel
// and refuses what the rule refuses: a link at any component, an escape.
func TestOpenat2(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("b", filepath.Join(root, "a", "link")); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRoot(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fd, err := openat2Dir(r.h.fd, "a/b")
	if err == unix.ENOSYS {
		t.Skip("this kernel has no openat2 (Linux < 5.6 or filtered): Root uses the component walk, tested by every Root test")
	}
	if err != nil {
		t.Fatalf("openat2Dir(a/b) = %v", err)
	}
	unix.Close(fd)
	for rel, want := range map[string]error{"a/link": unix.ELOOP, "a/link/x": unix.ELOOP, "..": unix.EXDEV, "a/../..": unix.EXDEV} {
		if fd, err := openat2Dir(r.h.fd, rel); err != want {
			unix.Close(fd)
			t.Errorf("openat2Dir(%s) = %v, want %v", rel, err, want)
		}
	}
	if noOpenat2.Load() {
		t.Error("openat2 marked unavailable although it answered")
	}
}
