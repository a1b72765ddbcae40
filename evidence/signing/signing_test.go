package signing

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"

	"github.com/kiln-build/kiln/internal/testtool"
)

// TestParsePrivateKey: the PEM forms of a P-256 key are read; every other
// key or block is refused with a reason, never a panic.
func TestParsePrivateKey(t *testing.T) {
	k := newKey(t)
	sec1, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	// cosign's encrypted format, sealed here with the same library cosign
	// uses (a key from the real cosign is TestCosignKey's).
	sealed, err := encrypted.Encrypt(pkcs8, []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	block := func(typ string, der []byte) []byte { return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}) }
	tests := []struct {
		name     string
		pem      []byte
		password string
		want     string // "" for success, else a part of the error
		is       error
	}{
		{"pkcs8", block("PRIVATE KEY", pkcs8), "", "", nil},
		{"sec1", block("EC PRIVATE KEY", sec1), "", "", nil},
		{"pkcs8 with an unneeded password", block("PRIVATE KEY", pkcs8), "x", "", nil},
		{"sigstore encrypted", block("ENCRYPTED SIGSTORE PRIVATE KEY", sealed), "s3cret", "", nil},
		{"cosign encrypted (old name)", block("ENCRYPTED COSIGN PRIVATE KEY", sealed), "s3cret", "", nil},
		{"encrypted, no password", block("ENCRYPTED SIGSTORE PRIVATE KEY", sealed), "", "needs its password", ErrPasswordNeeded},
		{"encrypted, wrong password", block("ENCRYPTED SIGSTORE PRIVATE KEY", sealed), "guess", "does not open", ErrWrongPassword},
		{"encrypted, not cosign's format", block("ENCRYPTED SIGSTORE PRIVATE KEY", pkcs8), "s3cret", "not cosign's encrypted format", nil},
		{"public key", publicPEM(t, &k.PublicKey), "", "this is a public key", nil},
		{"p384", pkcs8PEM(t, p384), "", "P-384", nil},
		{"rsa", pkcs8PEM(t, rsaKey), "", "*rsa.PrivateKey", nil},
		{"certificate", block("CERTIFICATE", []byte{1, 2}), "", `PEM block "CERTIFICATE"`, nil},
		{"not pem", []byte("ssh-ed25519 AAAA"), "", "no PEM block", nil},
		{"empty", nil, "", "no PEM block", nil},
		{"truncated der", block("PRIVATE KEY", pkcs8[:20]), "", "PRIVATE KEY", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePrivateKey(tt.pem, []byte(tt.password))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("ParsePrivateKey = %v, want the key", err)
				}
				if !got.Equal(k) {
					t.Fatal("ParsePrivateKey returned another key")
				}
				return
			}
			var ke *KeyError
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &ke) {
				t.Fatalf("ParsePrivateKey = %v, want a *KeyError containing %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("ParsePrivateKey = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

func TestParsePublicKey(t *testing.T) {
	k := newKey(t)
	got, err := ParsePublicKey(publicPEM(t, &k.PublicKey))
	if err != nil || !got.Equal(&k.PublicKey) {
		t.Fatalf("ParsePublicKey(own PEM) = %v, %v", got, err)
	}
	for name, in := range map[string][]byte{
		"private key": pkcs8PEM(t, k),
		"not pem":     []byte("hello"),
	} {
		if _, err := ParsePublicKey(in); err == nil {
			t.Errorf("ParsePublicKey(%s) succeeded", name)
		}
	}
}

// TestSign: both bundles are v0.3 bundles with the key's hint whose
// signatures verify with the public key (the message digest is the
// file's, the envelope's payload the statement byte for byte, signed over
// DSSE's encoding); the same key and bytes give the same bundle.
func TestSign(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	k := newKey(t)
	s := newSigner(t, k)
	blob, err := s.SignBlob(ctx, "app_1.2.3_checksums.txt", f.checksums)
	if err != nil {
		t.Fatal(err)
	}
	att, err := s.SignStatement(ctx, f.statement)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.SignBlob(ctx, "app_1.2.3_checksums.txt", f.checksums)
	attAgain, _ := s.SignStatement(ctx, f.statement)
	if !bytes.Equal(blob, again) || !bytes.Equal(att, attAgain) {
		t.Errorf("signing twice gave different bundles:\n%s\n%s", blob, again)
	}

	var b bundle
	if err := json.Unmarshal(blob, &b); err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	hint := sha256.Sum256(der)
	sum := sha256.Sum256(f.checksums)
	switch {
	case b.MediaType != "application/vnd.dev.sigstore.bundle.v0.3+json":
		t.Errorf("media type %q", b.MediaType)
	case b.VerificationMaterial.PublicKey.Hint != base64.StdEncoding.EncodeToString(hint[:]):
		t.Errorf("hint %q, want base64 of the SHA-256 of the PKIX key", b.VerificationMaterial.PublicKey.Hint)
	case b.MessageSignature == nil || b.DSSEEnvelope != nil:
		t.Fatalf("blob bundle %s: want a message signature only", blob)
	case b.MessageSignature.MessageDigest.Algorithm != "SHA2_256" || !bytes.Equal(b.MessageSignature.MessageDigest.Digest, sum[:]):
		t.Errorf("message digest %+v, want the file's SHA2_256", b.MessageSignature.MessageDigest)
	case !ecdsa.VerifyASN1(&k.PublicKey, sum[:], b.MessageSignature.Signature):
		t.Errorf("the blob signature does not verify with the key")
	}

	b = bundle{}
	if err := json.Unmarshal(att, &b); err != nil {
		t.Fatal(err)
	}
	switch env := b.DSSEEnvelope; {
	case env == nil || b.MessageSignature != nil || len(env.Signatures) != 1:
		t.Fatalf("statement bundle %s: want one DSSE envelope with one signature", att)
	case env.PayloadType != InTotoPayloadType || !bytes.Equal(env.Payload, f.statement):
		t.Errorf("envelope %s: want the statement byte for byte as %s", env.PayloadType, InTotoPayloadType)
	default:
		pae := sha256.Sum256(PAE(InTotoPayloadType, f.statement))
		if !ecdsa.VerifyASN1(&k.PublicKey, pae[:], env.Signatures[0].Sig) {
			t.Errorf("the envelope's signature does not verify over DSSE's encoding")
		}
	}
	if got := string(PAE("t", []byte("ab"))); got != "DSSEv1 1 t 2 ab" {
		t.Errorf("PAE = %q", got)
	}
	if _, err := s.SignStatement(ctx, f.checksums); err == nil {
		t.Errorf("SignStatement signed a checksums file as an in-toto statement")
	}
}

// TestCosignVerifies: the real cosign verifies both bundles offline with
// the public key (and that a file is a subject of the provenance), and
// rejects a changed checksums file, a changed provenance and another key.
func TestCosignVerifies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	k, other := newKey(t), newKey(t)
	s := newSigner(t, k)
	blob, err := s.SignBlob(ctx, "checksums", f.checksums)
	if err != nil {
		t.Fatal(err)
	}
	att, err := s.SignStatement(ctx, f.statement)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"trusted_root.json":                     []byte(TrustedRootJSON),
		"key.pub":                               publicPEM(t, &k.PublicKey),
		"other.pub":                             publicPEM(t, &other.PublicKey),
		"app_1.2.3_checksums.txt":               f.checksums,
		"app_1.2.3_checksums.txt.sigstore.json": blob,
		"app_1.2.3.intoto.json":                 f.statement,
		"app_1.2.3.intoto.json.sigstore.json":   att,
		"changed_checksums.txt":                 append(bytes.Clone(f.checksums), "0000000000000000000000000000000000000000000000000000000000000000  extra\n"...),
		"changed.intoto.json.sigstore.json":     testtool.ChangeStatement(t, att),
		"unlisted.tar.gz":                       []byte("a file the provenance does not list\n"),
	}
	for name, data := range f.files {
		files[name] = data
	}
	write(t, dir, files)

	ok := [][]string{
		cosignVerifyBlob("key.pub", "app_1.2.3_checksums.txt.sigstore.json", "app_1.2.3_checksums.txt"),
		cosignVerifyAttestation("key.pub", "app_1.2.3.intoto.json.sigstore.json", "app_1.2.3_linux_amd64.tar.gz"),
		cosignVerifyAttestation("key.pub", "app_1.2.3.intoto.json.sigstore.json", "app_1.2.3_windows_amd64.zip"),
	}
	for _, args := range ok {
		if out, err := cosign(t, dir, nil, args...); err != nil || !strings.Contains(out, "Verified OK") {
			t.Errorf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	// Each fails for its own reason, as cosign says it.
	fail := []struct {
		name string
		args []string
		want string
	}{
		{"changed checksums", cosignVerifyBlob("key.pub", "app_1.2.3_checksums.txt.sigstore.json", "changed_checksums.txt"), "invalid signature"},
		{"changed provenance", cosignVerifyAttestation("key.pub", "changed.intoto.json.sigstore.json", "app_1.2.3_linux_amd64.tar.gz"), "accepted signatures do not match threshold"},
		{"other key, blob", cosignVerifyBlob("other.pub", "app_1.2.3_checksums.txt.sigstore.json", "app_1.2.3_checksums.txt"), "invalid signature"},
		{"other key, statement", cosignVerifyAttestation("other.pub", "app_1.2.3.intoto.json.sigstore.json", "app_1.2.3_linux_amd64.tar.gz"), "accepted signatures do not match threshold"},
		{"not a subject", cosignVerifyAttestation("key.pub", "app_1.2.3.intoto.json.sigstore.json", "unlisted.tar.gz"), "does not match any digest in statement"},
	}
	for _, tt := range fail {
		out, err := cosign(t, dir, nil, tt.args...)
		if err == nil || !strings.Contains(out, tt.want) {
			t.Errorf("%s: cosign %s = %v, want a failure saying %q:\n%s", tt.name, strings.Join(tt.args, " "), err, tt.want, out)
		}
	}
}

// TestCosignKey: a key from the real `cosign generate-key-pair` is read
// with its password (refused without it or with another); kiln's bundles
// verify with its cosign.pub.
func TestCosignKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pass := "COSIGN_PASSWORD=kiln-test-password"
	if out, err := cosign(t, dir, []string{pass}, "generate-key-pair"); err != nil {
		t.Fatalf("cosign generate-key-pair: %v\n%s", err, out)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, "cosign.key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParsePrivateKey(keyPEM, nil); !errors.Is(err, ErrPasswordNeeded) {
		t.Errorf("without the password: %v, want ErrPasswordNeeded", err)
	}
	if _, err := ParsePrivateKey(keyPEM, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("with a wrong password: %v, want ErrWrongPassword", err)
	}
	k, err := ParsePrivateKey(keyPEM, []byte("kiln-test-password"))
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := os.ReadFile(filepath.Join(dir, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(pubPEM)
	if err != nil || !pub.Equal(&k.PublicKey) {
		t.Fatalf("cosign.pub is not cosign.key's public key: %v", err)
	}

	f := newFixture(t)
	s := newSigner(t, k)
	blob, _ := s.SignBlob(ctx, "checksums", f.checksums)
	att, _ := s.SignStatement(ctx, f.statement)
	write(t, dir, map[string][]byte{
		"trusted_root.json":            []byte(TrustedRootJSON),
		"sums.txt":                     f.checksums,
		"sums.txt.sigstore.json":       blob,
		"prov.json.sigstore.json":      att,
		"app_1.2.3_linux_amd64.tar.gz": f.files["app_1.2.3_linux_amd64.tar.gz"],
	})
	for _, args := range [][]string{
		cosignVerifyBlob("cosign.pub", "sums.txt.sigstore.json", "sums.txt"),
		cosignVerifyAttestation("cosign.pub", "prov.json.sigstore.json", "app_1.2.3_linux_amd64.tar.gz"),
	} {
		if out, err := cosign(t, dir, nil, args...); err != nil {
			t.Errorf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
