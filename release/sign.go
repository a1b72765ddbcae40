package release

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/sigbundle"
)

// Signing is opt-in: with PackageSettings.Signing set (from
// github.com/kiln-build/kiln/targets/signing) and a key given, the
// package stage signs the checksums file and the provenance statement
// into Sigstore bundles, <file>.sigstore.json, recorded in the manifest as
// kind "signature" and left out of the checksums file (a bundle covers
// what the checksums cover, not the reverse). See evidence/sigbundle.

// loadSigner returns the package stage's signer: nil when no key is given
// (KILN_SIGNING_KEY, else PackageSettings.SigningKey), which it says once.
// Every error names the variable or field to fix.
func (p *Plan) loadSigner() (sigbundle.Signer, error) {
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
	s, err := sigbundle.Open(load, key, p.in.password)
	switch {
	case errors.Is(err, sigbundle.ErrPassword) && p.in.password == "":
		return nil, fmt.Errorf("package: the signing key %s (%s) is encrypted: set COSIGN_PASSWORD to its password", key, from)
	case errors.Is(err, sigbundle.ErrPassword):
		return nil, fmt.Errorf("package: COSIGN_PASSWORD does not open the signing key %s (%s)", key, from)
	case err != nil:
		return nil, fmt.Errorf("package: %s=%s: %w", from, key, err)
	case s == nil:
		return nil, fmt.Errorf("package: Config.Package.Signing returned no signer for %s", key)
	}
	return s, nil
}

// sign writes the bundles of the checksums file and of the provenance
// (when there is one) into Out and returns their entries; what it wrote
// is removed on failure.
func (pk *packager) sign(ctx context.Context, sums artifact.Artifact, prov *artifact.Artifact) ([]artifact.Artifact, error) {
	p := pk.p
	of := []artifact.Artifact{sums}
	if prov != nil {
		of = append(of, *prov)
	}
	d := sigbundle.Dest{Root: pk.h.Root, Dir: p.Out, Name: p.Project, Path: BundlePath, Wrote: p.rep.File}
	made, err := d.Sign(ctx, pk.signer, of...)
	if err != nil {
		return nil, fmt.Errorf("package: sign: %w", err)
	}
	return made, nil
}
