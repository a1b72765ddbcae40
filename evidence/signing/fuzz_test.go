package signing

import (
	"context"
	"testing"
)

// FuzzVerify: a downloaded bundle is untrusted input. Whatever its bytes,
// verifying it returns (an error for anything but kiln's own bundles),
// never panics.
func FuzzVerify(f *testing.F) {
	ctx := context.Background()
	fx := newFixture(f)
	k := newKey(f)
	s := newSigner(f, k)
	blob, err := s.SignBlob(ctx, "checksums", fx.checksums)
	if err != nil {
		f.Fatal(err)
	}
	att, err := s.SignStatement(ctx, fx.statement)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(blob)
	f.Add(att)
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"dsseEnvelope":{"signatures":[{}]}}`))
	v := newVerifier(f, &k.PublicKey)
	f.Fuzz(func(t *testing.T, bundle []byte) {
		errBlob := v.VerifyBlob("fuzz", bundle, fx.checksums)
		errStmt := v.VerifyStatement("fuzz", bundle, fx.statement)
		if errBlob == nil && errStmt == nil {
			t.Fatalf("one bundle verified as both a blob and a statement signature: %q", bundle)
		}
	})
}

// FuzzParsePrivateKey: no key file makes the parser panic.
func FuzzParsePrivateKey(f *testing.F) {
	f.Add(pkcs8PEM(f, newKey(f)), []byte(""))
	f.Add([]byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\neyJrZGYiOnt9fQ==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n"), []byte("x"))
	f.Fuzz(func(t *testing.T, pemBytes, password []byte) {
		k, err := ParsePrivateKey(pemBytes, password)
		if err == nil && k == nil {
			t.Fatal("no key and no error")
		}
		_, _ = ParsePublicKey(pemBytes)
	})
}
