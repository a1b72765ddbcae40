package testtool

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
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

// ChangeStatement returns a Sigstore bundle of an in-toto statement with
// the statement's first "v1.2.3" changed to "v6.6.6" and its signature
// kept: what an attacker who edits a provenance without the key can
// publish.
func ChangeStatement(tb testing.TB, bundle []byte) []byte {
	tb.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		tb.Fatal(err)
	}
	env, ok := b["dsseEnvelope"].(map[string]any)
	if !ok {
		tb.Fatalf("the bundle holds no DSSE envelope:\n%s", bundle)
	}
	payload, _ := env["payload"].(string)
	stmt, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		tb.Fatal(err)
	}
	edited := bytes.Replace(stmt, []byte("v1.2.3"), []byte("v6.6.6"), 1)
	if bytes.Equal(edited, stmt) {
		tb.Fatal("the statement does not name v1.2.3")
	}
	env["payload"] = base64.StdEncoding.EncodeToString(edited)
	out, err := json.Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}
