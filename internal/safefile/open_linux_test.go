//go:build linux

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

// TestOpenNotRegular refuses what is not a regular file, quickly and
// with a typed error, never blocking on a FIFO or reading a device.
func TestOpenNotRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zeroLink := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zeroLink); err != nil {
		t.Fatal(err)
	}
	procLink := filepath.Join(dir, "mem")
	if err := os.Symlink("/proc/self/mem", procLink); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, kind string
	}{
		{"/dev/zero", "a character device"},
		{"/dev/null", "a character device"},
		{fifo, "a named pipe (FIFO)"},
		{dir, "a directory"},
		{"/proc/self/mem", "a file of the proc filesystem"},
		{"/proc/self/status", "a file of the proc filesystem"},
		{zeroLink, "a character device"},
		{procLink, "a file of the proc filesystem"},
	}
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err == nil {
		tests = append(tests, struct{ path, kind string }{"/sys/kernel/mm/transparent_hugepage/enabled", "a file of the sysfs filesystem"})
	}
	for _, tt := range tests {
		err := within(t, 5*time.Second, func() error {
			return openErr(tt.path)
		})
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Kind != tt.kind || nr.Path != tt.path {
			t.Errorf("Open(%s) = %v, want a *NotRegularError saying %q", tt.path, err, tt.kind)
			continue
		}
		if want := tt.path + " is " + tt.kind + ", not a regular file"; !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%s) = %q, want it to say %q", tt.path, err, want)
		}
	}
}

// within runs f and fails the test when it does not return within d.
func within(t *testing.T, d time.Duration, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("still blocked after %v", d)
		return nil
	}
}
