package sigcheck

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/internal/testtool"
)

// A checksums file and an in-toto statement whose subject it lists.
var (
	sums = []byte("caf90169eefa5f807d577486b9f795ab86ae2983c5c20806cff959117e90af18  app_1.2.3_linux_amd64.tar.gz\n")
	stmt = []byte(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1",` +
		`"subject":[{"name":"app_1.2.3_linux_amd64.tar.gz","digest":{"sha256":"caf90169eefa5f807d577486b9f795ab86ae2983c5c20806cff959117e90af18"}}],` +
		`"predicate":{"buildDefinition":{"buildType":"x","externalParameters":{}},"runDetails":{"builder":{"id":"x"}}}}` + "\n")
)

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signed returns kiln's bundles of sums and stmt with k.
func signed(t testing.TB, k *ecdsa.PrivateKey) (blob, att []byte) {
	t.Helper()
	s, err := signing.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	if blob, err = s.SignBlob(context.Background(), "sums", sums); err != nil {
		t.Fatal(err)
	}
	if att, err = s.SignStatement(context.Background(), stmt); err != nil {
		t.Fatal(err)
	}
	return blob, att
}

func newVerifier(t testing.TB, k *ecdsa.PublicKey) *Verifier {
	t.Helper()
	v, err := NewVerifier(k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVerify: kiln's bundles verify with the key; a changed checksums
// file, a changed statement, the other key and the other kind of bundle
// each fail with a *VerifyError saying why.
func TestVerify(t *testing.T) {
	k, other := newKey(t), newKey(t)
	blob, att := signed(t, k)
	v := newVerifier(t, &k.PublicKey)
	sum := sha256.Sum256(sums)
	for name, err := range map[string]error{
		"blob":           v.VerifyBlob("b", blob, sums),
		"blob by digest": v.VerifyBlobSHA256("b", blob, sum[:]),
		"statement":      v.VerifyStatement("b", att, stmt),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	vOther := newVerifier(t, &other.PublicKey)
	changedStmt := []byte(strings.Replace(string(stmt), `"x"`, `"y"`, 1))
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"changed checksums", v.VerifyBlob("b", blob, append(sums, '\n')), "does not verify"},
		{"changed statement", v.VerifyStatement("b", att, changedStmt), "signs another statement"},
		{"other key, blob", vOther.VerifyBlob("b", blob, sums), "does not verify"},
		{"other key, statement", vOther.VerifyStatement("b", att, stmt), "does not verify"},
		{"statement bundle as blob", v.VerifyBlob("b", att, sums), "no message signature"},
		{"blob bundle as statement", v.VerifyStatement("b", blob, stmt), "no DSSE envelope"},
		{"not a bundle", v.VerifyBlob("b", []byte(`{"mediaType":"x"}`), sums), "not a Sigstore bundle"},
		{"not json", v.VerifyBlob("b", []byte(`hello`), sums), "not a Sigstore bundle"},
	} {
		var ve *VerifyError
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) || !errors.As(tt.err, &ve) {
			t.Errorf("%s: %v, want a *VerifyError containing %q", tt.name, tt.err, tt.want)
		}
	}
	if _, err := NewVerifier(nil); err == nil {
		t.Error("NewVerifier(nil) succeeded")
	}
}

// TestVerifyCosignBundles: bundles the real cosign signs with its own
// key (sign-blob, attest-blob, --new-bundle-format, offline) verify in
// process with its cosign.pub, and not over other bytes.
func TestVerifyCosignBundles(t *testing.T) {
	dir := t.TempDir()
	pass := "COSIGN_PASSWORD=kiln-test-password"
	for name, data := range map[string][]byte{"sums.txt": sums, "app_1.2.3_linux_amd64.tar.gz": []byte("an archive\n"),
		"predicate.json": []byte(`{"buildDefinition":{"buildType":"x","externalParameters":{}},"runDetails":{"builder":{"id":"x"}}}`)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"generate-key-pair"},
		{"sign-blob", "--key", "cosign.key", "--bundle", "sums.sigstore.json", "--new-bundle-format", "--tlog-upload=false", "--yes", "sums.txt"},
		{"attest-blob", "--key", "cosign.key", "--bundle", "att.sigstore.json", "--new-bundle-format", "--tlog-upload=false", "--yes",
			"--type", "slsaprovenance1", "--predicate", "predicate.json", "app_1.2.3_linux_amd64.tar.gz"},
	} {
		if out, err := testtool.Cosign(t, dir, []string{pass}, args...); err != nil {
			t.Fatalf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	pub, err := signing.ParsePublicKey(read("cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	v := newVerifier(t, pub)
	if err := v.VerifyBlob("sums.sigstore.json", read("sums.sigstore.json"), sums); err != nil {
		t.Errorf("cosign's blob bundle: %v", err)
	}
	if err := v.VerifyBlob("sums.sigstore.json", read("sums.sigstore.json"), []byte("other bytes")); err == nil {
		t.Errorf("cosign's blob bundle verified other bytes")
	}
	att := read("att.sigstore.json")
	payload, err := payloadOf(att)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.VerifyStatement("att.sigstore.json", att, payload); err != nil {
		t.Errorf("cosign's attestation: %v", err)
	}
	if err := newVerifier(t, &newKey(t).PublicKey).VerifyStatement("att.sigstore.json", att, payload); err == nil {
		t.Errorf("cosign's attestation verified with another key")
	}
}

// payloadOf is the statement a DSSE bundle carries.
func payloadOf(bundleJSON []byte) ([]byte, error) {
	b, err := parseBundle(bundleJSON)
	if err != nil {
		return nil, err
	}
	return b.GetDsseEnvelope().GetPayload(), nil
}

// FuzzVerify: a downloaded bundle is untrusted input. Whatever its bytes,
// verifying returns, never panics, and no bundle is both a blob's and a
// statement's signature.
func FuzzVerify(f *testing.F) {
	k := newKey(f)
	blob, att := signed(f, k)
	f.Add(blob)
	f.Add(att)
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}`))
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{}},"dsseEnvelope":{"signatures":[{}]}}`))
	v := newVerifier(f, &k.PublicKey)
	f.Fuzz(func(t *testing.T, bundle []byte) {
		errBlob := v.VerifyBlob("fuzz", bundle, sums)
		errStmt := v.VerifyStatement("fuzz", bundle, stmt)
		if errBlob == nil && errStmt == nil {
			t.Fatalf("one bundle verified as both a blob and a statement signature: %q", bundle)
		}
	})
}
