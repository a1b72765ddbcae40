//go:build unix

package release_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
	"github.com/kiln-build/kiln/shards"
)

// TestGitHubFilesFIFO: a GITHUB_OUTPUT or GITHUB_STEP_SUMMARY that is a
// FIFO with no reader fails at once, naming the variable, instead of
// blocking (verify writes its summary while it holds the output
// directory's lock).
func TestGitHubFilesFIFO(t *testing.T) {
	_, mod := releasetest.GHModule(t, nil)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// Whatever happens, a reader at the end lets a blocked writer go.
	t.Cleanup(func() {
		if f, err := os.OpenFile(fifo, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
	})
	env := map[string]string{"GITHUB_ACTIONS": "true", "KILN_MATRIX": "linux/amd64", "KILN_VERSION": "1.0.0",
		"GITHUB_OUTPUT": fifo, "GITHUB_STEP_SUMMARY": fifo}
	var w releasetest.LockedBuffer
	p := plantest.MustResolve(t, mod, plantest.Settings(), &w, env)
	if err := p.Build(context.Background()); err != nil {
		t.Fatalf("build: %v\n%s", err, w.String())
	}
	for _, tc := range []struct {
		name  string
		stage func(context.Context) error
		// want is in the error, or else in the output (a summary that
		// cannot be written is a warning).
		want string
	}{
		{"shards", func(ctx context.Context) error { return shards.Print(ctx, p) }, "GITHUB_OUTPUT=" + fifo},
		{"verify", p.Verify, "GITHUB_STEP_SUMMARY=" + fifo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- tc.stage(ctx) }()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("%s hangs on a FIFO with no reader", tc.name)
			}
			said := w.String()
			if err != nil {
				said = err.Error()
			}
			if !strings.Contains(said, tc.want) || !strings.Contains(said, "named pipe") {
				t.Errorf("%s with a FIFO: %v, want %q and what it is named\n%s", tc.name, err, tc.want, w.String())
			}
		})
	}
}
