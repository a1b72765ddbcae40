// Package assemble makes a release's evidence from its shipped binaries
// and its sources: the SPDX SBOM of each binary from its own build info,
// the in-toto provenance statement over the checksums file (with the
// source facts ReadSource gathers), and the check that an SBOM still
// describes its binary. Both documents are deterministic: the same commit
// and configuration give the same bytes.
package assemble

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"io"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/sbom"
	"github.com/kiln-build/kiln/internal/self"
	"github.com/kiln-build/kiln/pack/checksum"
)

// KilnVersion is the version of kiln that runs: "devel" for a checkout.
func KilnVersion() string { return self.Version() }

// BuildInfo reads the build info of a manifest entry's file, confined to
// dir.
func BuildInfo(dir string, a artifact.Artifact) (*buildinfo.BuildInfo, error) {
	f, err := artifact.Open(dir, a)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return buildinfo.Read(f)
}

// SBOM is the SPDX SBOM of a binary entry made from its build info bi, for
// a release at version, created at the source date.
func SBOM(bi *buildinfo.BuildInfo, a artifact.Artifact, version string, created time.Time) ([]byte, error) {
	return sbom.SPDX(bi, sbom.FileFacts{Name: a.Path, SHA256: a.SHA256, Created: created,
		Version: version, Tool: "kiln-" + KilnVersion()})
}

// SBOM reads the build info of the shipped binary (s.Entry, a file in
// dir) into s.Info, for the provenance, and makes the binary's SPDX SBOM
// as the file rel of a release at version, created at the source date:
// its entry (kind sbom, named after the binary, on its platform, with its
// engine key) and its bytes. Errors name the binary's file.
func (s *Shipped) SBOM(dir, rel, version string, created time.Time) (artifact.Artifact, []byte, error) {
	a := s.Entry
	bi, err := BuildInfo(dir, a)
	if err != nil {
		return artifact.Artifact{}, nil, fmt.Errorf("sbom %s: %w", a.Path, err)
	}
	s.Info = bi
	data, err := SBOM(bi, a, version, created)
	if err != nil {
		return artifact.Artifact{}, nil, fmt.Errorf("sbom %s: %w", a.Path, err)
	}
	pl := s.Platform
	doc := artifact.Artifact{Path: rel, Kind: artifact.SBOM, Name: s.Binary, OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant, Key: a.Key}
	return doc, data, nil
}

// maxSBOM bounds the SBOM CheckSBOM reads.
const maxSBOM = 64 << 20

// CheckSBOM checks the SBOM the manifest m records for a binary entry
// (same name and platform) against the binary in dir and the release
// version it was written for: its content must be what the binary's build
// info gives (sbom.CheckWith: sha256, name, version, every module). It
// returns a note instead when there is nothing to check: no SBOM, or one
// of an earlier build of the binary (another engine key), which the next
// package replaces.
func CheckSBOM(dir string, m *artifact.Manifest, bin artifact.Artifact, version string) (note string, err error) {
	var doc *artifact.Artifact
	for _, a := range m.Filter(artifact.ByKind(artifact.SBOM)) {
		if a.Name == bin.Name && a.Platform() == bin.Platform() {
			doc = &a
		}
	}
	switch {
	case doc == nil:
		return "", nil
	case doc.Key != bin.Key:
		return fmt.Sprintf("sbom %s describes an earlier build of %s: not checked (mage package writes it again)", doc.Path, bin.Path), nil
	}
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("sbom %s: %w (mage package writes it again)", doc.Path, err)
	}
	f, err := artifact.Open(dir, *doc)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSBOM+1))
	switch {
	case err != nil:
		return fail(err)
	case len(data) > maxSBOM:
		return fail(fmt.Errorf("larger than %d bytes", maxSBOM))
	}
	if sum, size, _ := checksum.Sum(bytes.NewReader(data)); sum != doc.SHA256 || size != doc.Size {
		return fail(fmt.Errorf("sha256 %s does not match the manifest's %s: it changed after package", sum, doc.SHA256))
	}
	bi, err := BuildInfo(dir, bin)
	if err != nil {
		return fail(fmt.Errorf("binary %s: %w", bin.Path, err))
	}
	if err := sbom.CheckWith(data, bi, sbom.Expect{SHA256: bin.SHA256, Version: version, Name: bin.Path}); err != nil {
		return fail(fmt.Errorf("does not describe %s: %w", bin.Path, err))
	}
	return "", nil
}
