package sigbundle

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
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/internal/safefile"
)

// realSigner is evidence/signing's signer over a throwaway key, and the
// key's PEM.
func realSigner(t *testing.T) (*signing.Signer, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := signing.NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return s, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// keyFile writes a throwaway key's PEM into dir as key.pem: its signer,
// its PEM and the file.
func keyFile(t *testing.T, dir string) (*signing.Signer, []byte, string) {
	t.Helper()
	s, keyPEM := realSigner(t)
	key := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return s, keyPEM, key
}

// TestOpen: the key file's bytes and the password reach the loader (none
// as nil); a missing, oversized or non-regular key file is refused before
// the loader runs; the loader's error comes back as it is.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	want, keyPEM, key := keyFile(t, dir)
	var gotPEM, gotPassword []byte
	calls := 0
	load := func(p, pw []byte) (Signer, error) {
		calls++
		gotPEM, gotPassword = p, pw
		return want, nil
	}
	for _, tc := range []struct {
		password string
		want     []byte
	}{{"", nil}, {"s3cret", []byte("s3cret")}} {
		s, err := Open(load, key, tc.password)
		if err != nil || s != want {
			t.Fatalf("Open(key, %q) = %v, %v, want the loader's signer", tc.password, s, err)
		}
		if !bytes.Equal(gotPEM, keyPEM) || !bytes.Equal(gotPassword, tc.want) || (gotPassword == nil) != (tc.want == nil) {
			t.Errorf("Open(key, %q): the loader got %q and password %q, want the file and %q", tc.password, gotPEM, gotPassword, tc.want)
		}
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, bytes.Repeat([]byte("x"), maxKey+1), 0o600); err != nil {
		t.Fatal(err)
	}
	calls = 0
	for _, bad := range []string{filepath.Join(dir, "nope.pem"), big, dir} {
		if _, err := Open(load, bad, ""); err == nil {
			t.Errorf("Open(%s) = nil error, want the key file refused", bad)
		}
	}
	if calls != 0 {
		t.Errorf("the loader ran %d times for key files that were refused", calls)
	}
	wrong := errors.Join(ErrPassword, errors.New("the password does not open the key"))
	if _, err := Open(func([]byte, []byte) (Signer, error) { return nil, wrong }, key, "guess"); !errors.Is(err, ErrPassword) {
		t.Errorf("the loader's password error came back as %v, want ErrPassword", err)
	}
}

// TestKeySigner: the key's signer, or an error that names the key file and
// the setting that named it: an encrypted key without COSIGN_PASSWORD, a
// password that does not open it, a missing file, the loader's refusal.
func TestKeySigner(t *testing.T) {
	dir := t.TempDir()
	want, _, key := keyFile(t, dir)
	encrypted := func(_, pw []byte) (Signer, error) {
		if string(pw) != "s3cret" {
			return nil, fmt.Errorf("%w: decrypt: wrong key", ErrPassword)
		}
		return want, nil
	}
	if s, err := (Key{Path: key, From: "KILN_SIGNING_KEY", Password: "s3cret"}).Signer(encrypted); err != nil || s != want {
		t.Fatalf("Signer with the password = %v, %v; want the loader's signer", s, err)
	}
	nope := filepath.Join(dir, "nope.pem")
	for _, tt := range []struct {
		name string
		k    Key
		load Loader
		want string
	}{
		{"no password", Key{Path: key, From: "KILN_SIGNING_KEY"}, encrypted,
			"the signing key " + key + " (KILN_SIGNING_KEY) is encrypted: set COSIGN_PASSWORD to its password"},
		{"configured key, no password", Key{Path: key, From: "Config.Package.SigningKey"}, encrypted,
			"the signing key " + key + " (Config.Package.SigningKey) is encrypted: set COSIGN_PASSWORD to its password"},
		{"wrong password", Key{Path: key, From: "KILN_SIGNING_KEY", Password: "guess"}, encrypted,
			"COSIGN_PASSWORD does not open the signing key " + key + " (KILN_SIGNING_KEY)"},
		{"missing key file", Key{Path: nope, From: "KILN_SIGNING_KEY"}, encrypted, "KILN_SIGNING_KEY=" + nope + ": "},
		{"not a key", Key{Path: key, From: "KILN_SIGNING_KEY"}, func([]byte, []byte) (Signer, error) { return nil, errors.New("no PEM key") },
			"KILN_SIGNING_KEY=" + key + ": no PEM key"},
	} {
		s, err := tt.k.Signer(tt.load)
		if s != nil || err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: Signer = %v, %v; want an error starting %q", tt.name, s, err, tt.want)
		}
	}
}

// failing signs the first file and fails on the next.
type failing struct {
	Signer
	n int
}

func (f *failing) SignBlob(ctx context.Context, name string, data []byte) ([]byte, error) {
	if f.n++; f.n > 1 {
		return nil, errors.New("no more")
	}
	return f.Signer.SignBlob(ctx, name, data)
}

func (f *failing) SignStatement(ctx context.Context, stmt []byte) ([]byte, error) {
	if f.n++; f.n > 1 {
		return nil, errors.New("no more")
	}
	return f.Signer.SignStatement(ctx, stmt)
}

// TestSign: the checksums file is signed as a blob and the provenance as a
// statement, each bundle written beside its file and described as a
// signature; a file changed after its entry was made is refused, and a
// failure removes the bundles already written.
func TestSign(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	root, err := safefile.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	files := map[string]string{
		"app_checksums.txt": "0000000000000000000000000000000000000000000000000000000000000000  app.tar.gz\n",
		"app.intoto.json":   `{"_type":"https://in-toto.io/Statement/v1","subject":[]}` + "\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sums, err := artifact.Describe(dir, artifact.Artifact{Path: "app_checksums.txt", Kind: artifact.Checksums, Name: "app"})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := artifact.Describe(dir, artifact.Artifact{Path: "app.intoto.json", Kind: artifact.Provenance, Name: "app"})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := realSigner(t)
	var told []string
	d := Dest{Root: root, Dir: dir, Name: "app", Path: func(of string) string { return of + ".sigstore.json" },
		Wrote: func(a artifact.Artifact) { told = append(told, a.Path) }}
	made, err := d.Sign(ctx, s, sums, prov)
	if err != nil {
		t.Fatal(err)
	}
	wantBlob, _ := s.SignBlob(ctx, sums.Path, []byte(files[sums.Path]))
	wantStmt, _ := s.SignStatement(ctx, []byte(files[prov.Path]))
	if len(made) != 2 || strings.Join(told, " ") != "app_checksums.txt.sigstore.json app.intoto.json.sigstore.json" {
		t.Fatalf("Sign made %v and told %q, want the two bundles", made, told)
	}
	for i, want := range [][]byte{wantBlob, wantStmt} {
		a := made[i]
		got, err := os.ReadFile(filepath.Join(dir, a.Path))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("bundle %s = %s, %v; want the signer's own bundle of the file\n%s", a.Path, got, err, want)
		}
		if a.Kind != artifact.Signature || a.Name != "app" || a.Size != int64(len(want)) || a.SHA256 == "" {
			t.Errorf("bundle entry %+v, want a described signature of app", a)
		}
	}

	// A checksums file changed after its entry: refused, nothing written.
	for _, a := range made {
		os.Remove(filepath.Join(dir, a.Path))
	}
	if err := os.WriteFile(filepath.Join(dir, sums.Path), []byte("tampered\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Sign(ctx, s, sums, prov); err == nil || !strings.Contains(err.Error(), "app_checksums.txt changed after it was written") {
		t.Errorf("a changed checksums file was signed: %v", err)
	}
	// The second signature fails: the first bundle is taken back.
	if _, err := d.Sign(ctx, &failing{Signer: s}, prov, prov); err == nil || !strings.Contains(err.Error(), "no more") {
		t.Errorf("a failing signer: %v, want its error", err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*.sigstore.json"))
	if len(left) != 0 {
		t.Errorf("bundles left after failures: %q", left)
	}
}
