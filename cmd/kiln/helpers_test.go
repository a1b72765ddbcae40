package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"

	"github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/internal/testtool"
)

// The tests run the real command, built once, on a real sample-app
// release: `go tool mage crossall verify package` in a tagged copy of the
// sample app (linux/amd64 with its static cgo service, windows/amd64),
// signed by the package stage with a throwaway cosign key, whose published
// files are copied away from the repository. Each test checks a copy of
// that directory.

var (
	tmpRoot  string
	repoRoot string
	kilnBin  string

	sampleOnce sync.Once
	sample     *sampleRelease
)

func TestMain(m *testing.M) {
	code := func() int {
		var err error
		if tmpRoot, err = os.MkdirTemp("", "kiln-cmd-test-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer os.RemoveAll(tmpRoot)
		if repoRoot, err = filepath.Abs(filepath.Join("..", "..")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		kilnBin = filepath.Join(tmpRoot, "bin", "kiln")
		if out, err := exec.Command("go", "build", "-o", kilnBin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build kiln: %v\n%s", err, out)
			return 2
		}
		return m.Run()
	}()
	os.Exit(code)
}

// sampleRelease is a packaged, signed sample-app release.
type sampleRelease struct {
	dir    string // the published files only: archives, checksums, SBOMs, provenance, bundles
	repo   string // the tagged copy of the sample app it was built from
	commit string
	key    *ecdsa.PrivateKey // signed the bundles
	other  *ecdsa.PrivateKey // signed nothing
}

// sampleCopy returns a fresh copy of the sample release's published files
// (and key.pub, other.pub beside them, outside the release directory).
func sampleCopy(t *testing.T) (dir string, s *sampleRelease) {
	t.Helper()
	testtool.Need(t, "musl-gcc", "git") // the sample app's linux service is a static cgo build
	sampleOnce.Do(func() {
		s, err := buildSample(t)
		if err != nil {
			t.Fatal(err)
		}
		sample = s
	})
	if sample == nil {
		t.Fatal("the sample release failed to build (see the first test that asked for it)")
	}
	dir = filepath.Join(t.TempDir(), "release")
	if err := os.CopyFS(dir, os.DirFS(sample.dir)); err != nil {
		t.Fatal(err)
	}
	return dir, sample
}

// env is the environment of the processes the tests start: the ambient
// one without kiln's, mage's, cosign's and Go's flag variables, so the
// caller's shell cannot change what a test means.
func env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "KILN_") || strings.HasPrefix(k, "MAGEFILE_") || strings.HasPrefix(k, "COSIGN_") ||
			k == "GOFLAGS" || k == "SOURCE_DATE_EPOCH" {
			continue
		}
		out = append(out, kv)
	}
	out = append(out, "MAGEFILE_CACHE="+filepath.Join(tmpRoot, "magefile-cache"), "MAGEFILE_HASHFAST=1")
	return append(out, extra...)
}

func command(ctx context.Context, dir string, envv []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = envv
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// buildSample builds, packages and signs the sample release: `mage
// crossall verify package` with KILN_SIGNING_KEY, as its users do.
func buildSample(t *testing.T) (*sampleRelease, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	root := filepath.Join(tmpRoot, "sample")
	repo := filepath.Join(root, "sample-app")
	testtool.CopySampleApp(t, repoRoot, repo)
	gitEnv := env("GIT_AUTHOR_NAME=kiln", "GIT_AUTHOR_EMAIL=kiln@example.invalid", "GIT_COMMITTER_NAME=kiln",
		"GIT_COMMITTER_EMAIL=kiln@example.invalid", "GIT_AUTHOR_DATE=2025-05-06T07:08:09Z", "GIT_COMMITTER_DATE=2025-05-06T07:08:09Z")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "sample"}, {"tag", "v1.2.3"}} {
		if _, err := command(ctx, repo, gitEnv, "git", args...); err != nil {
			return nil, err
		}
	}
	commit, err := command(ctx, repo, gitEnv, "git", "rev-parse", "HEAD")
	if err != nil {
		return nil, err
	}
	s := &sampleRelease{dir: filepath.Join(root, "release"), repo: repo, commit: strings.TrimSpace(commit)}
	if s.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	if s.other, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	for name, k := range map[string]*ecdsa.PrivateKey{"key.pub": s.key, "other.pub": s.other} {
		pub, err := signing.PublicKeyPEM(&k.PublicKey)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(root, name), pub, 0o644); err != nil {
			return nil, err
		}
	}
	// The signing key as cosign generate-key-pair writes it: encrypted,
	// its password in COSIGN_PASSWORD. The sample's magefile signs with it.
	der, err := x509.MarshalPKCS8PrivateKey(s.key)
	if err != nil {
		return nil, err
	}
	sealed, err := encrypted.Encrypt(der, []byte("sample-password"))
	if err != nil {
		return nil, err
	}
	cosignKey := filepath.Join(root, "cosign.key")
	if err := os.WriteFile(cosignKey, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: sealed}), 0o600); err != nil {
		return nil, err
	}
	dist := filepath.Join(root, "dist")
	// -mod=mod: the copy's replace points at this checkout, whose go.mod
	// may be ahead of the sample's go.sum.
	out, err := command(ctx, repo, env("KILN_MATRIX=linux/amd64,windows/amd64", "KILN_OUT="+dist, "GOFLAGS=-mod=mod",
		"KILN_SIGNING_KEY="+cosignKey, "COSIGN_PASSWORD=sample-password"), "go", "tool", "mage", "crossall", "verify", "package")
	if err != nil {
		return nil, err
	}
	for _, want := range []string{"signature", "sample-app_1.2.3_checksums.txt.sigstore.json", "sample-app_1.2.3.intoto.json.sigstore.json"} {
		if !strings.Contains(out, want) {
			return nil, fmt.Errorf("mage package did not sign (no %q in its output):\n%s", want, out)
		}
	}
	return s, copyPublished(dist, s.dir)
}

// copyPublished copies what a release page publishes from an output
// directory to a new directory dst: archives, the checksums file, SBOMs,
// the provenance and the signature bundles (not the manifest, the binaries' directories, nor the
// packages the tests do not check).
func copyPublished(dist, dst string) error {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	ents, err := os.ReadDir(dist)
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		for _, suffix := range []string{".tar.gz", ".zip", "_checksums.txt", ".spdx.json", ".intoto.json", ".sigstore.json"} {
			if strings.HasSuffix(n, suffix) {
				data, err := os.ReadFile(filepath.Join(dist, n))
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dst, n), data, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// signFiles writes <file>.sigstore.json for each file in dir: a DSSE
// bundle for the provenance, a blob bundle otherwise.
func signFiles(s *signing.Signer, dir string, files ...string) error {
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		var b []byte
		if strings.HasSuffix(f, ".intoto.json") {
			b, err = s.SignStatement(context.Background(), data)
		} else {
			b, err = s.SignBlob(context.Background(), f, data)
		}
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, f+".sigstore.json"), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// pub is the path of key.pub or other.pub.
func pub(name string) string { return filepath.Join(tmpRoot, "sample", name) }

// kiln runs the built command; it returns its stdout, stderr and exit
// code.
func kiln(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return kilnEnv(t, env(), args...)
}

// kilnEnv runs the built command with the environment envv.
func kilnEnv(t *testing.T, envv []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, kilnBin, args...)
	cmd.Env = envv
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("kiln %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}
