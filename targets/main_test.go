package targets_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/verify"
)

// The tests drive the targets the way users do: through the real mage
// binary (built once per run from the version go.mod pins) in temporary
// consumer modules that import this package with a replace directive to
// the checkout. Every mage run shares one compiled-magefile cache with
// MAGEFILE_HASHFAST, so each distinct magefile is compiled once per run.

var (
	tmpRoot  string // removed by TestMain
	repoRoot string
	goCache  string // the machine's Go build cache (go env GOCACHE)

	mageOnce sync.Once
	mageBin  string
	mageErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "targets-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tmpRoot = dir
	if repoRoot, err = filepath.Abs(".."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "go env GOCACHE:", err)
		os.Exit(2)
	}
	goCache = strings.TrimSpace(string(out))
	code := m.Run()
	closeWine()
	os.RemoveAll(dir)
	os.Exit(code)
}

// mage returns the path of the mage binary, built once.
func mage(t *testing.T) string {
	t.Helper()
	mageOnce.Do(func() {
		mageBin = filepath.Join(tmpRoot, "bin", "mage")
		cmd := exec.Command("go", "build", "-o", mageBin, "github.com/magefile/mage")
		cmd.Dir = repoRoot
		cmd.Env = goEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			mageErr = fmt.Errorf("go build mage: %v\n%s", err, out)
		}
	})
	if mageErr != nil {
		t.Fatal(mageErr)
	}
	return mageBin
}

// goEnv is the environment of every process the tests start: the ambient
// one without kiln's and mage's variables (so the caller's shell cannot
// change what a test means), with -mod=mod so an ambient -mod=vendor does
// not break the vendor-less consumers. verify's runs under wine are off
// unless a test turns them on (KILN_WINE=auto), and use the tests' own
// wine prefix, never the user's.
func goEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "KILN_") || strings.HasPrefix(k, "MAGEFILE_") || k == "GOFLAGS" || k == "SOURCE_DATE_EPOCH" {
			continue
		}
		env = append(env, kv)
	}
	// kiln's plan cache ($XDG_CACHE_HOME/kiln) goes to the tests' own
	// directory, never the user's ~/.cache/kiln; GOCACHE is pinned to the
	// machine's, so moving XDG_CACHE_HOME does not move Go's warm build
	// cache (a test that wants a cold one passes its own GOCACHE after).
	env = append(env, "GOFLAGS=-mod=mod", "GOCACHE="+goCache, "XDG_CACHE_HOME="+filepath.Join(tmpRoot, "xdg-cache"),
		"MAGEFILE_CACHE="+filepath.Join(tmpRoot, "magefile-cache"), "MAGEFILE_HASHFAST=1",
		"KILN_WINE=off", "KILN_WINEPREFIX="+winePrefix())
	return append(env, extra...)
}

// winePrefix is the tests' wine prefix: one per test run, created by the
// first verify that runs a windows binary under wine.
func winePrefix() string { return filepath.Join(tmpRoot, "wine") }

// closeWine stops the tests' wineserver, if a test started one.
func closeWine() {
	if _, err := os.Stat(winePrefix()); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if w := verify.NewWine(winePrefix()); w.Setup(ctx) == "" {
		if err := w.Close(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "closing the tests' wine prefix:", err)
		}
	}
}

// consumer is a temporary module that uses the targets.
type consumer struct {
	t   *testing.T
	dir string
}

// newConsumer writes a module named modPath in dir with the files (path
// relative to the module → path under testdata, or content when the value
// starts with "="), a copy of kiln's go.sum, and tidies it.
func newConsumer(t *testing.T, dir, modPath string, files map[string]string) *consumer {
	t.Helper()
	gomod := fmt.Sprintf("module %s\n\ngo 1.26.0\n\nrequire github.com/kiln-build/kiln v0.0.0\n\nreplace github.com/kiln-build/kiln => %s\n", modPath, repoRoot)
	write(t, filepath.Join(dir, "go.mod"), gomod)
	sum, err := os.ReadFile(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.sum"), string(sum))
	for name, src := range files {
		content, ok := strings.CutPrefix(src, "=")
		if !ok {
			data, err := os.ReadFile(filepath.Join("testdata", src))
			if err != nil {
				t.Fatal(err)
			}
			content = string(data)
		}
		write(t, filepath.Join(dir, name), content)
	}
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Env = goEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in %s: %v\n%s", modPath, err, out)
	}
	return &consumer{t: t, dir: dir}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mageTimeout bounds one mage run.
const mageTimeout = 5 * time.Minute

// run runs mage with args in the consumer, with env added to goEnv, and
// returns its combined output and exit code.
func (c *consumer) run(env []string, args ...string) (string, int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mageTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, mage(c.t), args...)
	cmd.Dir = c.dir
	cmd.Env = goEnv(env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Kill the whole group on timeout: mage runs the compiled magefile,
	// which runs go.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	c.t.Logf("mage %s %s: %v in %v", strings.Join(env, " "), strings.Join(args, " "), err, time.Since(start).Round(time.Millisecond))
	if ctx.Err() != nil {
		c.t.Fatalf("mage %s: timed out after %v\n%s", strings.Join(args, " "), mageTimeout, out.String())
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	c.t.Fatalf("mage %s: %v", strings.Join(args, " "), err)
	return "", -1
}

// ok runs mage and fails the test unless it exits 0.
func (c *consumer) ok(env []string, args ...string) string {
	c.t.Helper()
	out, code := c.run(env, args...)
	if code != 0 {
		c.t.Fatalf("mage %s %s: exit %d, want 0\n%s", strings.Join(env, " "), strings.Join(args, " "), code, out)
	}
	return out
}

// fails runs mage, fails the test unless it exits non-zero, and checks that
// the output contains every want.
func (c *consumer) fails(env []string, args []string, wants ...string) string {
	c.t.Helper()
	out, code := c.run(env, args...)
	if code == 0 {
		c.t.Fatalf("mage %s %s: exit 0, want a failure\n%s", strings.Join(env, " "), strings.Join(args, " "), out)
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			c.t.Errorf("mage %s %s: output lacks %q:\n%s", strings.Join(env, " "), strings.Join(args, " "), w, out)
		}
	}
	return out
}

func (c *consumer) path(rel ...string) string {
	return filepath.Join(append([]string{c.dir}, rel...)...)
}

// manifest reads the consumer's out/artifacts.json.
func (c *consumer) manifest(out string) *artifact.Manifest {
	c.t.Helper()
	data, err := os.ReadFile(c.path(out, artifact.FileName))
	if err != nil {
		c.t.Fatal(err)
	}
	var m artifact.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		c.t.Fatalf("%s: %v", artifact.FileName, err)
	}
	return &m
}

// find returns the manifest's artifact at path.
func find(m *artifact.Manifest, path string) (artifact.Artifact, bool) {
	for _, a := range m.Artifacts {
		if a.Path == path {
			return a, true
		}
	}
	return artifact.Artifact{}, false
}

// fileSum returns the sha256 (hex) and size of a file.
func fileSum(t *testing.T, path string) (string, int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:]), int64(len(data))
}

// checkRecorded fails unless the manifest in out lists path (relative to
// out) with kind and the file's real sha256 and size.
func (c *consumer) checkRecorded(m *artifact.Manifest, out, path string, kind artifact.Kind) {
	c.t.Helper()
	a, ok := find(m, path)
	if !ok {
		c.t.Errorf("%s is not in %s", path, artifact.FileName)
		return
	}
	if a.Kind != kind {
		c.t.Errorf("%s: kind %q, want %q", path, a.Kind, kind)
	}
	sum, size := fileSum(c.t, c.path(out, filepath.FromSlash(path)))
	if a.SHA256 != sum || a.Size != size {
		c.t.Errorf("%s: manifest says sha256 %s size %d, the file has %s %d", path, a.SHA256, a.Size, sum, size)
	}
}
