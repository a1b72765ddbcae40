package targets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
)

// TestVerifyRejects: verify fails for a dynamically linked binary filed
// as the static one (with a manifest that agrees with the file) and for a
// binary changed after it was recorded.
func TestVerifyRejects(t *testing.T) {
	c := toolConsumer(t)
	const bin = "tool_linux_amd64/tool"

	t.Run("dynamic glibc binary", func(t *testing.T) {
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			t.Skip("needs a linux/amd64 host to build a glibc binary")
		}
		testtool.Need(t, "gcc")
		c := &consumer{t: t, dir: c.dir}
		env := []string{"KILN_OUT=dist-cgo"}
		c.ok(env, "cross", "linux/amd64")

		// A tiny cgo program, linked dynamically against glibc.
		src := t.TempDir()
		write(t, filepath.Join(src, "go.mod"), "module cgo\n\ngo 1.26.0\n")
		data, err := os.ReadFile(filepath.Join("testdata", "cgo", "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(src, "main.go"), string(data))
		dyn := filepath.Join(src, "dyn")
		cmd := exec.Command("go", "build", "-o", dyn, ".")
		cmd.Dir = src
		cmd.Env = goEnv("CGO_ENABLED=1", "GOOS=linux", "GOARCH=amd64")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build cgo: %v\n%s", err, out)
		}
		replaceRecorded(t, c, "dist-cgo", bin, dyn)

		c.fails(env, []string{"verify"}, "linux/amd64", "ld-linux", "libc.so.6", "1 of 1 binaries failed")
		a, _ := find(c.manifest("dist-cgo"), bin)
		if a.Verify == nil || a.Verify.OK || a.Verify.Static || len(a.Verify.Problems) == 0 {
			t.Errorf("recorded verify result %+v, want failed, not static, with problems", a.Verify)
		}
	})

	t.Run("changed after build", func(t *testing.T) {
		c := &consumer{t: t, dir: c.dir}
		env := []string{"KILN_OUT=dist-tamper"}
		c.ok(env, "cross", "linux/amd64")
		c.ok(env, "verify") // intact: passes
		path := c.path("dist-tamper", filepath.FromSlash(bin))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 0xff
		if err := os.WriteFile(path, data, 0o755); err != nil {
			t.Fatal(err)
		}
		c.fails(env, []string{"verify"}, "linux/amd64", "sha256", "does not match the manifest")
	})
}

// replaceRecorded puts the file src in place of the binary at rel (in
// out) and updates its manifest entry's size and sha256 to match.
func replaceRecorded(t *testing.T, c *consumer, out, rel, src string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dist := c.path(out)
	if err := os.WriteFile(filepath.Join(dist, filepath.FromSlash(rel)), data, 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	a, ok := find(m, rel)
	if !ok {
		t.Fatalf("%s is not in the manifest", rel)
	}
	a.SHA256, a.Size = fileSum(t, filepath.Join(dist, filepath.FromSlash(rel)))
	m.Put(a)
	if err := m.Save(dist); err != nil {
		t.Fatal(err)
	}
}
