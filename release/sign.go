package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/pack/checksum"
)

// Signing is opt-in: with PackageSettings.Signing set (from
// github.com/kiln-build/kiln/targets/signing) and a key given, the
// package stage signs the checksums file and the provenance statement
// into Sigstore bundles, <file>.sigstore.json, recorded in the manifest as
// kind "signature" and left out of the checksums file (a bundle covers
// what the checksums cover, not the reverse).

// A Signer signs a release's evidence into Sigstore bundles (JSON): a
// blob (the checksums file, published as name) and an in-toto statement
// (the provenance), exactly as given.
type Signer interface {
	SignBlob(ctx context.Context, name string, data []byte) ([]byte, error)
	SignStatement(ctx context.Context, stmt []byte) ([]byte, error)
}

// A SigningLoader turns a key file's bytes and its password (nil when
// COSIGN_PASSWORD is empty) into a Signer. The package stage calls it when
// it runs, so nothing is read in init. Its error wraps ErrSigningPassword
// when the key is encrypted and the password is missing or wrong.
type SigningLoader func(keyPEM, password []byte) (Signer, error)

// ErrSigningPassword is wrapped by a SigningLoader's error for an
// encrypted key whose password is missing or wrong.
var ErrSigningPassword = errors.New("the signing key's password is missing or wrong")

// maxSigningKey bounds the key file (a PEM key is under a kilobyte).
const maxSigningKey = 64 << 10

// loadSigner returns the package stage's signer: nil when no key is given
// (KILN_SIGNING_KEY, else PackageSettings.SigningKey), which it says once.
// Every error names the variable or field to fix.
func (p *Plan) loadSigner() (Signer, error) {
	if p.in.unsigned {
		return nil, nil
	}
	key, from := p.in.signingKey, "KILN_SIGNING_KEY"
	if key == "" && p.PackageWith.SigningKey != "" {
		key, from = p.PackageWith.SigningKey, "Config.Package.SigningKey"
		if !filepath.IsAbs(key) {
			key = filepath.Join(p.Dir, key)
		}
	}
	load := p.PackageWith.Signing
	switch {
	case key == "" && load == nil:
		p.rep.Printf("  signatures: not signed (to sign, set Config.Package.Signing = signing.New() from github.com/kiln-build/kiln/targets/signing and KILN_SIGNING_KEY)\n")
		return nil, nil
	case key == "":
		p.rep.Printf("  signatures: not signed: no key (set KILN_SIGNING_KEY to a key file, COSIGN_PASSWORD for cosign's encrypted keys)\n")
		return nil, nil
	case load == nil:
		return nil, fmt.Errorf("package: %s=%s asks to sign, but this build cannot: set Config.Package.Signing = signing.New() (import github.com/kiln-build/kiln/targets/signing) in your magefile", from, key)
	}
	pemBytes, err := readKey(key)
	if err != nil {
		return nil, fmt.Errorf("package: %s=%s: %w", from, key, err)
	}
	var password []byte
	if p.in.password != "" {
		password = []byte(p.in.password)
	}
	s, err := load(pemBytes, password)
	switch {
	case errors.Is(err, ErrSigningPassword) && password == nil:
		return nil, fmt.Errorf("package: the signing key %s (%s) is encrypted: set COSIGN_PASSWORD to its password", key, from)
	case errors.Is(err, ErrSigningPassword):
		return nil, fmt.Errorf("package: COSIGN_PASSWORD does not open the signing key %s (%s)", key, from)
	case err != nil:
		return nil, fmt.Errorf("package: %s=%s: %w", from, key, err)
	case s == nil:
		return nil, fmt.Errorf("package: Config.Package.Signing returned no signer for %s", key)
	}
	return s, nil
}

// readKey reads a key file: regular, small.
func readKey(path string) ([]byte, error) {
	f, _, err := safefile.Open(path, maxSigningKey)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// sign writes the bundles of the checksums file and of the provenance
// (when there is one) into Out and returns their entries and paths; what
// it wrote is removed on failure.
func (pk *packager) sign(ctx context.Context, s Signer, sums artifact.Artifact, prov *artifact.Artifact) ([]artifact.Artifact, []string, error) {
	p := pk.p
	var made []artifact.Artifact
	var written []string
	fail := func(err error) ([]artifact.Artifact, []string, error) {
		for _, w := range written {
			pk.h.Root.Remove(w)
		}
		return nil, nil, fmt.Errorf("package: sign: %w", err)
	}
	for _, of := range []*artifact.Artifact{&sums, prov} {
		if of == nil {
			continue
		}
		data, err := readKept(p.Out, *of)
		if err != nil {
			return fail(err)
		}
		var bundle []byte
		if of.Kind == artifact.Provenance {
			bundle, err = s.SignStatement(ctx, data)
		} else {
			bundle, err = s.SignBlob(ctx, of.Path, data)
		}
		if err != nil {
			return fail(err)
		}
		rel := BundlePath(of.Path)
		if err := pk.h.Root.WriteFileAtomic(rel, bundle, 0o644); err != nil {
			return fail(err)
		}
		written = append(written, rel)
		a, err := artifact.Describe(p.Out, artifact.Artifact{Path: rel, Kind: artifact.Signature, Name: p.Project})
		if err != nil {
			return fail(err)
		}
		p.rep.File(a)
		made = append(made, a)
	}
	return made, written, nil
}

// readKept reads a file kiln just wrote into Out and checks it is still
// what its entry records.
func readKept(out string, a artifact.Artifact) ([]byte, error) {
	f, err := artifact.Open(out, a)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, a.Size+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Path, err)
	}
	if sum, _, _ := checksum.Sum(bytes.NewReader(data)); sum != a.SHA256 {
		return nil, fmt.Errorf("%s changed after it was written (sha256 %s, not %s)", a.Path, sum, a.SHA256)
	}
	return data, nil
}
