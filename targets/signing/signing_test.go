package signing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"

	"github.com/kiln-build/kiln/evidence/sigbundle"
	"github.com/kiln-build/kiln/evidence/sigcheck"
	evsigning "github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/targets/signing"
)

// TestNew: the loader turns a key file's bytes into a signer whose bundles
// verify with the public key; a bad key is the loader's error.
func TestNew(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	s, err := signing.New()(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil)
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("0000000000000000000000000000000000000000000000000000000000000000  app.tar.gz\n")
	b, err := s.SignBlob(context.Background(), "app_checksums.txt", data)
	if err != nil {
		t.Fatal(err)
	}
	v, err := sigcheck.NewVerifier(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.VerifyBlob("bundle", b, data); err != nil {
		t.Errorf("the loader's signer made a bundle that does not verify: %v", err)
	}
	var ke *evsigning.KeyError
	if _, err := signing.New()([]byte("not a key"), nil); !errors.As(err, &ke) || errors.Is(err, sigbundle.ErrPassword) {
		t.Errorf("a bad key: %v, want a *KeyError", err)
	}
	// cosign's encrypted key: the password problems are sigbundle's, so the
	// package stage can name COSIGN_PASSWORD.
	sealed, err := encrypted.Encrypt(der, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	enc := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: sealed})
	if _, err := signing.New()(enc, []byte("s3cret")); err != nil {
		t.Errorf("cosign's encrypted key with its password: %v", err)
	}
	for _, pw := range [][]byte{nil, []byte("guess")} {
		if _, err := signing.New()(enc, pw); !errors.Is(err, sigbundle.ErrPassword) {
			t.Errorf("password %q: %v, want sigbundle.ErrPassword", pw, err)
		}
	}
}

// TestStaysLight: sigstore-go (verification's library) reaches neither a
// magefile that imports targets alone nor one that signs: signing needs
// the standard library and x/crypto's scrypt and secretbox only.
func TestStaysLight(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/kiln-build/kiln/targets",
		"github.com/kiln-build/kiln/release", "github.com/kiln-build/kiln/targets/signing").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "sigstore") || strings.Contains(pkg, "protobuf") || strings.HasSuffix(pkg, "/evidence/sigcheck") {
			t.Errorf("signing a release depends on %s: only checking one may", pkg)
		}
	}
	// A magefile that does not sign compiles no signing code at all.
	out, err = exec.Command("go", "list", "-deps", "github.com/kiln-build/kiln/targets").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/evidence/signing") || strings.HasPrefix(pkg, "golang.org/x/crypto/") {
			t.Errorf("targets depends on %s: signing must stay opt-in (targets/signing)", pkg)
		}
	}
}
