package targets_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/outdir"
)

// TestFailingPlatform: one platform that does not compile fails the run,
// naming the platform and the file, and the others are still built.
func TestFailingPlatform(t *testing.T) {
	c := newConsumer(t, filepath.Join(t.TempDir(), "broken"), "example.com/broken", map[string]string{
		"main.go":           "tool/main.go",
		"broken_windows.go": "=//go:build windows\n\npackage main\n\nfunc broken( {\n",
		"magefile.go":       "magefiles/root.go"})
	out := c.fails([]string{"KILN_MATRIX=linux/amd64,windows/amd64"}, []string{"crossall"},
		"windows/amd64", "broken_windows.go")
	if got := platformLines(out, "built"); len(got) != 1 || got[0] != "linux/amd64" {
		t.Errorf("built %q, want linux/amd64 despite the windows failure\n%s", got, out)
	}
	m := c.manifest("dist")
	c.checkRecorded(m, "dist", "broken_linux_amd64/broken", artifact.Binary)
	if _, ok := find(m, "broken_windows_amd64/broken.exe"); ok {
		t.Error("the failed windows build is in the manifest")
	}
	if _, err := os.Stat(c.path("dist", "broken_windows_amd64", "broken.exe")); err == nil {
		t.Error("the failed windows build left a binary")
	}
}

// TestInterrupt: Ctrl-C during a cold crossall stops it with a non-zero exit
// and leaves no partial file in dist/: every binary there is complete and
// recorded.
func TestInterrupt(t *testing.T) {
	c := newConsumer(t, filepath.Join(t.TempDir(), "slow"), "example.com/slow", map[string]string{
		"main.go":     "=package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n)\n\nfunc main() { fmt.Println(http.StatusOK) }\n",
		"magefile.go": "magefiles/root.go"})
	// Compile the magefile with the warm cache (MAGEFILE_HASHFAST reuses it;
	// mage -l does not compile).
	c.ok(nil, "matrix")

	ctx, cancel := context.WithTimeout(context.Background(), mageTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, mage(t), "crossall")
	cmd.Dir = c.dir
	cmd.Env = goEnv("GOCACHE="+t.TempDir(), "KILN_MATRIX="+threePlatforms)
	// Ctrl-C in a terminal signals the foreground process group: mage, the
	// compiled magefile and the go commands. mage itself does not pass a
	// signal on to the magefile it runs.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once a go build is writing its temporary output (about 2 s
	// in; the cold builds take far longer), so that the test proves the
	// temporary file is removed.
	start := time.Now()
	for !tempFileIn(c.path("dist")) && time.Since(start) < 2*time.Minute {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	sent := time.Now()
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	t.Logf("mage crossall, SIGINT after %v: %v, %v after the signal\n%s", sent.Sub(start).Round(time.Millisecond), err, time.Since(sent).Round(time.Millisecond), out.String())
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() == 0 {
		t.Fatalf("mage crossall interrupted: %v, want a non-zero exit\n%s", err, out.String())
	}
	if ctx.Err() != nil {
		t.Fatal("mage did not stop after SIGINT")
	}
	if !strings.Contains(out.String(), "cancelling mage targets") {
		t.Errorf("the magefile did not see the interrupt:\n%s", out.String())
	}
	if strings.Contains(out.String(), "cleanup timeout exceeded") {
		t.Errorf("the targets did not stop within mage's 5 s cleanup time:\n%s", out.String())
	}
	checkNoDebris(t, c, "dist")
}

// tempFileIn reports whether a temporary output file exists below dir.
func tempFileIn(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			found = true
		}
		return nil
	})
	return found
}

// checkNoDebris fails for any file in out other than the manifest, binaries
// the manifest lists with their real sha256, and the build stamps of such
// binaries.
func checkNoDebris(t *testing.T, c *consumer, out string) {
	t.Helper()
	dist := c.path(out)
	m := &artifact.Manifest{}
	if _, err := os.Stat(filepath.Join(dist, artifact.FileName)); err == nil {
		m = c.manifest(out)
	}
	n := 0
	err := filepath.WalkDir(dist, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == dist {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dist, path)
		rel = filepath.ToSlash(rel)
		name := d.Name()
		switch {
		case rel == artifact.FileName || rel == ".kiln-lock" || rel == ".kiln-output" || rel == outdir.IgnoreName:
			return nil
		case strings.Contains(name, ".tmp-"):
			t.Errorf("temporary file left in %s: %s", out, rel)
			return nil
		case strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".kiln-stamp"):
			bin := filepath.ToSlash(filepath.Join(filepath.Dir(rel), strings.TrimSuffix(strings.TrimPrefix(name, "."), ".kiln-stamp")))
			if _, ok := find(m, bin); !ok {
				t.Errorf("stamp %s of a binary the manifest does not list", rel)
			}
			return nil
		}
		a, ok := find(m, rel)
		if !ok {
			t.Errorf("%s: not in the manifest (a partial or unrecorded build)", rel)
			return nil
		}
		if sum, size := fileSum(t, path); sum != a.SHA256 || size != a.Size {
			t.Errorf("%s: sha256 %s size %d, the manifest says %s %d", rel, sum, size, a.SHA256, a.Size)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d complete binaries", out, n)
}

// syncBuffer is a bytes.Buffer safe for a process's output and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
