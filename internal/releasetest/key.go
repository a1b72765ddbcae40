package releasetest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"

	"github.com/kiln-build/kiln/evidence/signing"
)

// Key is a throwaway signing key: its files (PEM: key.pem, as openssl
// genpkey writes a P-256 key; Cosign: cosign.key, cosign's encrypted
// format; Pub: key.pub) and its public key.
type Key struct {
	PEM, Cosign, Pub string
	Public           *ecdsa.PublicKey
}

// NewKey writes a new key's files into dir, cosign.key sealed with
// password.
func NewKey(t *testing.T, dir, password string) Key {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := encrypted.Encrypt(der, []byte(password)) // what cosign generate-key-pair seals with
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signing.PublicKeyPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	tk := Key{PEM: filepath.Join(dir, "key.pem"), Cosign: filepath.Join(dir, "cosign.key"), Pub: filepath.Join(dir, "key.pub"), Public: &k.PublicKey}
	for path, data := range map[string][]byte{
		tk.PEM:    pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		tk.Cosign: pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED SIGSTORE PRIVATE KEY", Bytes: sealed}),
		tk.Pub:    pub,
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return tk
}
