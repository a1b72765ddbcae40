package signing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack/checksum"
)

// newKey returns a throwaway P-256 key.
func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// pkcs8PEM is k as openssl genpkey writes it.
func pkcs8PEM(t testing.TB, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func publicPEM(t testing.TB, k *ecdsa.PublicKey) []byte {
	t.Helper()
	b, err := PublicKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newSigner(t testing.TB, k *ecdsa.PrivateKey) *Signer {
	t.Helper()
	s, err := NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fixture is a small release: two published files, their checksums file
// and the provenance whose subjects are its lines, as kiln writes them.
type fixture struct {
	files     map[string][]byte // name → content
	checksums []byte
	statement []byte
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	f := fixture{files: map[string][]byte{
		"app_1.2.3_linux_amd64.tar.gz": []byte("not really an archive, but bytes to sign\n"),
		"app_1.2.3_windows_amd64.zip":  []byte("another file of the release\n"),
	}}
	var sums []byte
	for _, name := range []string{"app_1.2.3_linux_amd64.tar.gz", "app_1.2.3_windows_amd64.zip"} {
		sum := sha256.Sum256(f.files[name])
		sums = fmt.Appendf(sums, "%x  %s\n", sum, name)
	}
	f.checksums = sums
	subjects, err := checksum.Parse(sums)
	if err != nil {
		t.Fatal(err)
	}
	f.statement, err = provenance.Statement(provenance.Release{
		Subjects:  subjects,
		External:  provenance.External{Version: "v1.2.3", Matrix: []string{"linux/amd64", "windows/amd64"}},
		Internal:  provenance.Internal{GoVersion: "go1.26.8"},
		Source:    provenance.Source{URI: "git+https://github.com/example/app", Commit: "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff"},
		BuilderID: "https://github.com/kiln-build/kiln@devel",
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// cosign runs the real cosign in dir.
func cosign(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	return testtool.Cosign(t, dir, env, args...)
}

// write writes files (name → content) into dir.
func write(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Cosign's offline flags for a keyed bundle: a trusted root with no
// authority, no transparency log.
func cosignVerifyBlob(pub, bundle, file string) []string {
	return []string{"verify-blob", "--key", pub, "--bundle", bundle, "--new-bundle-format",
		"--trusted-root", "trusted_root.json", "--insecure-ignore-tlog=true", file}
}

// cosignVerifyAttestation checks the statement's signature and that the
// file is one of its subjects (cosign's claim check).
func cosignVerifyAttestation(pub, bundle, file string) []string {
	return []string{"verify-blob-attestation", "--key", pub, "--bundle", bundle, "--new-bundle-format",
		"--trusted-root", "trusted_root.json", "--insecure-ignore-tlog=true", "--type", "slsaprovenance1", file}
}
