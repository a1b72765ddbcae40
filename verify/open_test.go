package verify

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFileNotRegular refuses what is not a regular file, quickly and
// with a typed error, never blocking on a FIFO or reading a device.
func TestReadFileNotRegular(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("devices, FIFOs and /proc as on Linux")
	}
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
			_, err := ReadFile(tt.path)
			return err
		})
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Kind != tt.kind || nr.Path != tt.path {
			t.Errorf("ReadFile(%s) = %v, want a *NotRegularError saying %q", tt.path, err, tt.kind)
			continue
		}
		if want := tt.path + " is " + tt.kind + ", not a regular file"; !strings.Contains(err.Error(), want) {
			t.Errorf("ReadFile(%s) = %q, want it to say %q", tt.path, err, want)
		}
	}
}

// TestReadFileTooLarge refuses a (sparse) file one byte over MaxSize
// without reading it, and OpenRegular applies the bound it is given.
func TestReadFileTooLarge(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "huge")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSize + 1); err != nil {
		f.Close()
		t.Skipf("cannot make a sparse file of %d bytes here: %v", MaxSize+1, err)
	}
	f.Close()
	_, err = ReadFile(path)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Size != MaxSize+1 || tl.Max != MaxSize || !strings.Contains(err.Error(), "limit of 2147483648 bytes (2 GiB)") {
		t.Errorf("ReadFile(sparse MaxSize+1) = %v, want a *TooLargeError naming the 2 GiB limit", err)
	}

	small := bin(t, "static")
	if f, st, err := OpenRegular(small, 1024); f != nil || st != nil || !errors.As(err, &tl) || tl.Max != 1024 {
		t.Errorf("OpenRegular(%s, 1024) = %v, %v, %v, want a *TooLargeError", small, f, st, err)
	}
	f, st, err := OpenRegular(small, 0)
	if err != nil || !st.Mode().IsRegular() {
		t.Fatalf("OpenRegular(%s, 0) = %v, %v, want the file", small, st, err)
	}
	f.Close()
	if _, _, err := OpenRegular(filepath.Join(t.TempDir(), "missing"), 0); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenRegular(missing) = %v, want fs.ErrNotExist", err)
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
