//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenAppend: the GITHUB_OUTPUT rule. A regular file (or a missing
// one) is appended to; a FIFO without a reader, a FIFO with one, a device
// and a directory are refused at once with a *NotRegularError.
func TestOpenAppend(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "output")
	if err := os.WriteFile(out, []byte("a=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{out, filepath.Join(dir, "new")} {
		f, err := OpenAppend(p)
		if err != nil {
			t.Fatalf("OpenAppend(%s) = %v", p, err)
		}
		f.WriteString("b=2\n")
		f.Close()
	}
	if data, _ := os.ReadFile(out); string(data) != "a=1\nb=2\n" {
		t.Errorf("appended file = %q", data)
	}

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	check := func(path, kind string) {
		t.Helper()
		err := within(t, 5*time.Second, func() error { return closed(OpenAppend(path)) })
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Kind != kind || !strings.Contains(err.Error(), path+" is "+kind+", not a regular file: kiln appends only to regular files") {
			t.Errorf("OpenAppend(%s) = %v, want a *NotRegularError saying %s", path, err, kind)
		}
	}
	check(fifo, "a named pipe (FIFO)")
	// With a reader the open could succeed: it is refused all the same.
	reader, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	check(fifo, "a named pipe (FIFO)")
	reader.Close()
	check("/dev/null", "a character device")
	check(dir, "a directory")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	check(link, "a named pipe (FIFO)")
}
