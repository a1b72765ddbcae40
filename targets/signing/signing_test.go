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
	v, err := evsigning.NewVerifier(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.VerifyBlob("bundle", b, data); err != nil {
		t.Errorf("the loader's signer made a bundle that does not verify: %v", err)
	}
	var ke *evsigning.KeyError
	if _, err := signing.New()([]byte("not a key"), nil); !errors.As(err, &ke) {
		t.Errorf("a bad key: %v, want a *KeyError", err)
	}
}

// TestTargetsStayLight: signing's libraries reach only the programs that
// import this package, never a magefile that imports targets alone.
func TestTargetsStayLight(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/kiln-build/kiln/targets", "github.com/kiln-build/kiln/release").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.Contains(pkg, "sigstore") || strings.HasSuffix(pkg, "/evidence/signing") {
			t.Errorf("targets depends on %s: signing must stay opt-in", pkg)
		}
	}
}
