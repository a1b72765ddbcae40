package release

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/assemble"
	"github.com/kiln-build/kiln/evidence/sigbundle"
	"github.com/kiln-build/kiln/layout"
	"github.com/kiln-build/kiln/matrix"
)

// The package stage's evidence (made by evidence/assemble): an SPDX SBOM
// per shipped binary, staged and committed with the archives (so the
// checksums file lists them), and after the checksums file an in-toto
// provenance statement whose subjects are that file's lines; then their
// signatures (evidence/sigbundle).

// evidenceOptions are seams of the evidence.
type evidenceOptions struct {
	off    bool   // write neither SBOMs nor provenance (the benchmark's baseline)
	source string // the source repository's URI; "": from git remote origin
}

// writeSBOMs stages the SPDX SBOM of every shipped binary, made from its
// build info, and gathers the provenance's facts.
func (pk *packager) writeSBOMs(ctx context.Context, ships []shipment) error {
	p := pk.p
	if p.evidence.off {
		return nil
	}
	for _, s := range ships {
		sh := assemble.Shipped{Binary: s.bin.Name, Platform: s.pl, Entry: s.a}
		doc, data, err := sh.SBOM(p.Out, p.SBOMPath(s.bin, s.pl), p.Version.Semver, p.PackageWith.ModTime)
		if err != nil {
			return err
		}
		pk.shipped = append(pk.shipped, sh)
		if err := pk.st.Write(doc, data); err != nil {
			return err
		}
	}
	if pk.writesProvenance() {
		var err error
		if pk.source, err = assemble.ReadSource(ctx, p.Dir, p.evidence.source, p.in.buildEnv); err != nil {
			return fmt.Errorf("provenance: %w", err)
		}
	}
	return nil
}

// writesProvenance reports whether the package writes a provenance
// statement: with evidence, for a commit, from a clean tree.
func (pk *packager) writesProvenance() bool {
	p := pk.p
	return !p.evidence.off && p.Version.Commit != "" && !p.Version.Dirty
}

// writeProvenance writes the provenance statement over the checksums file
// just written into Out and returns its entry; nil without a commit (or
// for a dirty tree, whose commit does not describe the sources).
func (pk *packager) writeProvenance() (*artifact.Artifact, error) {
	p := pk.p
	switch {
	case p.evidence.off:
		return nil, nil
	case p.Version.Commit == "":
		p.rep.Printf("  provenance: not written: no git commit to name as the source\n")
		return nil, nil
	case p.Version.Dirty:
		p.rep.Printf("  provenance: not written: the work tree has uncommitted changes, so no commit describes the sources\n")
		return nil, nil
	}
	sums, err := pk.h.Root.ReadFile(p.ChecksumsPath(), 0)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	r := assemble.Release{Version: p.Version.Semver, Commit: p.Version.Commit, Source: pk.source, Module: p.Module,
		Static: p.Static, Matrix: p.Platforms, Binaries: assemble.Binaries(p.Binaries), Shipped: pk.shipped}
	if note := pk.source.Note(); note != "" {
		p.rep.Printf("  provenance: %s\n", note)
	}
	data, err := assemble.Provenance(sums, r)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	a, err := pk.st.Put(pk.entry(p.ProvenancePath(), artifact.Provenance, matrix.Platform{}), data)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return &a, nil
}

// Signing is opt-in: with PackageSettings.Signing set (from
// github.com/kiln-build/kiln/targets/signing) and a key given, the
// package stage signs the checksums file and the provenance statement
// into Sigstore bundles, <file>.sigstore.json, recorded in the manifest as
// kind "signature" and left out of the checksums file (a bundle covers
// what the checksums cover, not the reverse).

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
	s, err := sigbundle.Key{Path: key, From: from, Password: p.in.password}.Signer(load)
	switch {
	case err != nil:
		return nil, fmt.Errorf("package: %w", err)
	case s == nil:
		return nil, fmt.Errorf("package: Config.Package.Signing returned no signer for %s", key)
	}
	return s, nil
}

// sign writes the bundles of the evidence (the checksums file, the
// provenance when there is one) into Out and returns their entries; what
// it wrote is removed on failure.
func (pk *packager) sign(ctx context.Context, of []artifact.Artifact) ([]artifact.Artifact, error) {
	p := pk.p
	d := sigbundle.Dest{Root: pk.h.Root, Dir: p.Out, Name: p.Project, Path: layout.BundlePath, Wrote: p.rep.File}
	made, err := d.Sign(ctx, pk.signer, of...)
	if err != nil {
		return nil, fmt.Errorf("package: sign: %w", err)
	}
	return made, nil
}
