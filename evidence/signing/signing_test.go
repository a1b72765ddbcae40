package signing

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
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

// TestSignVerify: both bundles verify in process with the key; the same
// key and bytes give the same bundle; a changed checksums file, a changed
// statement, the other key and the other kind of bundle each fail.
func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	k, other := newKey(t), newKey(t)
	s := newSigner(t, k)
	blob, err := s.SignBlob(ctx, "app_1.2.3_checksums.txt", f.checksums)
	if err != nil {
		t.Fatal(err)
	}
	att, err := s.SignStatement(ctx, f.statement)
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, &k.PublicKey)
	if err := v.VerifyBlob("checksums bundle", blob, f.checksums); err != nil {
		t.Errorf("VerifyBlob: %v", err)
	}
	if err := v.VerifyStatement("provenance bundle", att, f.statement); err != nil {
		t.Errorf("VerifyStatement: %v", err)
	}

	// Deterministic: RFC 6979 nonces and one JSON layout.
	again, _ := s.SignBlob(ctx, "app_1.2.3_checksums.txt", f.checksums)
	attAgain, _ := s.SignStatement(ctx, f.statement)
	if !bytes.Equal(blob, again) || !bytes.Equal(att, attAgain) {
		t.Errorf("signing twice gave different bundles:\n%s\n%s", blob, again)
	}
	var b struct {
		MediaType            string
		VerificationMaterial struct{ PublicKey struct{ Hint string } }
		DsseEnvelope         struct{ PayloadType, Payload string }
	}
	if err := json.Unmarshal(att, &b); err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if b.MediaType != "application/vnd.dev.sigstore.bundle.v0.3+json" || b.VerificationMaterial.PublicKey.Hint == "" ||
		b.DsseEnvelope.PayloadType != InTotoPayloadType {
		t.Errorf("bundle %s: want a v0.3 bundle with a key hint and an in-toto DSSE envelope", att)
	}
	if hint := b.VerificationMaterial.PublicKey.Hint; hint != s.hint || len(der) == 0 {
		t.Errorf("hint %q, want %q", hint, s.hint)
	}
	if payload, _ := base64.StdEncoding.DecodeString(b.DsseEnvelope.Payload); !bytes.Equal(payload, f.statement) {
		t.Errorf("the envelope's payload is not the statement byte for byte")
	}

	changedSums := bytes.Replace(f.checksums, []byte("windows"), []byte("darwin_"), 1)
	changedStmt := bytes.Replace(f.statement, []byte("v1.2.3"), []byte("v1.2.4"), 1)
	vOther := newVerifier(t, &other.PublicKey)
	failures := []struct {
		name string
		err  error
		want string
	}{
		{"changed checksums", v.VerifyBlob("b", blob, changedSums), "does not verify"},
		{"changed statement", v.VerifyStatement("b", att, changedStmt), "signs another statement"},
		{"other key, blob", vOther.VerifyBlob("b", blob, f.checksums), "does not verify"},
		{"other key, statement", vOther.VerifyStatement("b", att, f.statement), "does not verify"},
		{"statement bundle as blob", v.VerifyBlob("b", att, f.checksums), "no message signature"},
		{"blob bundle as statement", v.VerifyStatement("b", blob, f.statement), "no DSSE envelope"},
		{"not a bundle", v.VerifyBlob("b", []byte(`{"mediaType":"x"}`), f.checksums), "not a Sigstore bundle"},
	}
	for _, tt := range failures {
		var ve *VerifyError
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) || !errors.As(tt.err, &ve) {
			t.Errorf("%s: %v, want a *VerifyError containing %q", tt.name, tt.err, tt.want)
		}
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
		"changed.intoto.json.sigstore.json":     changeStatement(t, att),
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

// changeStatement returns the provenance bundle with its payload (the
// statement) changed and its signature kept: what an attacker who edits
// the provenance without the key can publish.
func changeStatement(t *testing.T, bundle []byte) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	env := b["dsseEnvelope"].(map[string]any)
	payload, _ := base64.StdEncoding.DecodeString(env["payload"].(string))
	env["payload"] = base64.StdEncoding.EncodeToString(bytes.Replace(payload, []byte("v1.2.3"), []byte("v6.6.6"), 1))
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCosignKey: a key from the real `cosign generate-key-pair` is read
// with its password; kiln's bundles verify with its cosign.pub, and a
// bundle cosign signs with it verifies in process.
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

	// The other way: cosign signs, kiln verifies.
	out, err := cosign(t, dir, []string{pass}, "sign-blob", "--key", "cosign.key", "--bundle", "by-cosign.sigstore.json",
		"--new-bundle-format", "--tlog-upload=false", "--yes", "sums.txt")
	if err != nil {
		t.Fatalf("cosign sign-blob: %v\n%s", err, out)
	}
	byCosign, err := os.ReadFile(filepath.Join(dir, "by-cosign.sigstore.json"))
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, pub)
	if err := v.VerifyBlob("by-cosign.sigstore.json", byCosign, f.checksums); err != nil {
		t.Errorf("cosign's bundle: %v", err)
	}
	if err := v.VerifyBlob("by-cosign.sigstore.json", byCosign, []byte("other bytes")); err == nil {
		t.Errorf("cosign's bundle verified other bytes")
	}
}
