// Package layout names every file of a release in the output directory.
//
// Every path is relative to the output directory, with forward slashes,
// as the manifest records it:
//
//	<project>_<os>_<arch>[_<variant>]/<binary>[.exe]        one directory per platform
//	<project>_<version>_<os>_<arch>[_<variant>].tar.gz|.zip one archive per platform
//	<project>_<version>_<os>_<arch>[_<variant>]_<binary>.spdx.json  SPDX SBOM of one binary
//	<project>_<version>_checksums.txt                       sha256sum of everything shipped
//	<project>_<version>.intoto.json                         provenance of everything shipped
//	<file>.sigstore.json                                    Sigstore bundle signing <file> (opt-in)
//	<project>_<version>_oci.tar                             multi-arch OCI image
//	<project>_<version>.Dockerfile                          the image as a Dockerfile
//	<service>.service                                       systemd unit (systemd.Unit.FileName)
//	artifacts.json                                          the manifest
//
// Without a version, "<project>_<version>" is "<project>" alone.
package layout

import (
	"cmp"
	"path"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// The suffixes that end the names of a release's evidence files, for
// those who find them in a directory (kiln check).
const (
	// ChecksumsSuffix ends the name of a kiln release's checksums file.
	ChecksumsSuffix = "_checksums.txt"
	// ProvenanceSuffix ends the name of a kiln release's provenance.
	ProvenanceSuffix = ".intoto.json"
	// BundleSuffix ends a Sigstore bundle's name: <file>.sigstore.json.
	BundleSuffix = ".sigstore.json"
	// SBOMSuffix ends an SPDX SBOM's name.
	SBOMSuffix = ".spdx.json"
	// TarGz and Zip end the names of a platform's archive: Zip for
	// windows, TarGz elsewhere (ArchivePath).
	TarGz = ".tar.gz"
	Zip   = ".zip"
)

// ArchiveExts are the endings of archive names, TarGz first.
var ArchiveExts = []string{TarGz, Zip}

// IsArchive reports whether name ends as a release's archive does.
func IsArchive(name string) bool {
	return strings.HasSuffix(name, TarGz) || strings.HasSuffix(name, Zip)
}

// Names are what the names of a release's files are made of.
type Names struct {
	// Project names the release's files.
	Project string
	// Version is the plain version, without the "v" (1.2.3): the form in
	// file names and tags; "" without a version.
	Version string
}

// PlatformDir is the directory of a platform's binaries.
func (n Names) PlatformDir(pl matrix.Platform) string { return n.Project + "_" + pl.Slug() }

// BinaryPath is where the binary named binary of a platform is written.
func (n Names) BinaryPath(binary string, pl matrix.Platform) string {
	return path.Join(n.PlatformDir(pl), binary+pl.Exe())
}

// releaseName is "<project>_<version>", or the project alone without a
// version.
func (n Names) releaseName() string {
	if n.Version == "" {
		return n.Project
	}
	return n.Project + "_" + n.Version
}

// ArchivePath is the archive of a platform's binaries: .zip for windows,
// .tar.gz elsewhere.
func (n Names) ArchivePath(pl matrix.Platform) string {
	ext := TarGz
	if pl.OS == "windows" {
		ext = Zip
	}
	return n.releaseName() + "_" + pl.Slug() + ext
}

// BundlePath is the Sigstore bundle that signs the file of, Sigstore's
// own convention.
func BundlePath(of string) string { return of + BundleSuffix }

// ChecksumsPath is the release's checksums file.
func (n Names) ChecksumsPath() string { return n.releaseName() + ChecksumsSuffix }

// SBOMPath is the SPDX SBOM of the binary named binary of a platform,
// beside the platform's archive (archives hold binaries and extras only).
func (n Names) SBOMPath(binary string, pl matrix.Platform) string {
	return n.releaseName() + "_" + pl.Slug() + "_" + binary + SBOMSuffix
}

// ProvenancePath is the release's in-toto provenance statement. It covers
// the files of the checksums file and so cannot be listed in it.
func (n Names) ProvenancePath() string { return n.releaseName() + ProvenanceSuffix }

// ImagePath is the OCI image (a tarred image layout).
func (n Names) ImagePath() string { return n.releaseName() + "_oci.tar" }

// DockerfilePath is the Dockerfile that builds the same image; it carries
// the version so that a later release does not overwrite a file an
// earlier checksums file covers.
func (n Names) DockerfilePath() string { return n.releaseName() + ".Dockerfile" }

// ImageTag is the image's tag: the plain version with "+" (not allowed in
// tags) as "_", "latest" without a version.
func (n Names) ImageTag() string {
	return cmp.Or(strings.ReplaceAll(n.Version, "+", "_"), "latest")
}
