package testtool

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Cosign runs the real cosign (skipping the test when it is missing, see
// Need) in dir with args and returns its combined output. Its home and TUF
// cache are dir's, so no state of the user's is read or written; env adds
// variables (COSIGN_PASSWORD=...).
func Cosign(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	bin := Need(t, "cosign")[0]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "TUF_ROOT=" + filepath.Join(dir, ".sigstore")}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
