package release

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
)

// The dist/ layout. Every path is relative to Plan.Out, with forward
// slashes, as the manifest records it.
//
//	<project>_<os>_<arch>[_<variant>]/<binary>[.exe]        one directory per platform
//	<project>_<version>_<os>_<arch>[_<variant>].tar.gz|.zip one archive per platform
//	<project>_<version>_<os>_<arch>[_<variant>]_<binary>.spdx.json  SPDX SBOM of one binary
//	<project>_<version>_checksums.txt                       sha256sum of everything shipped
//	<project>_<version>.intoto.json                         provenance of everything shipped
//	<file>.sigstore.json                                    Sigstore bundle signing <file> (opt-in)
//	<project>_<version>_oci.tar                             multi-arch OCI image
//	<project>_<version>.Dockerfile                          the image as a Dockerfile
//	<service>.service                                       systemd unit
//	artifacts.json                                          the manifest

// PlatformDir is the directory of a platform's binaries.
func (p *Plan) PlatformDir(pl matrix.Platform) string { return p.Project + "_" + pl.Slug() }

// BinaryPath is where a binary of a platform is written.
func (p *Plan) BinaryPath(b Bin, pl matrix.Platform) string {
	return path.Join(p.PlatformDir(pl), b.Name+pl.Exe())
}

// releaseName is "<project>_<version>", or the project alone without a
// version.
func (p *Plan) releaseName() string {
	if p.Version.Plain == "" {
		return p.Project
	}
	return p.Project + "_" + p.Version.Plain
}

// ArchivePath is the archive of a platform's binaries: .zip for windows,
// .tar.gz elsewhere.
func (p *Plan) ArchivePath(pl matrix.Platform) string {
	ext := ".tar.gz"
	if pl.OS == "windows" {
		ext = ".zip"
	}
	return p.releaseName() + "_" + pl.Slug() + ext
}

// BundlePath is the Sigstore bundle that signs the file of, Sigstore's
// own convention.
func BundlePath(of string) string { return of + ".sigstore.json" }

// ChecksumsPath is the release's checksums file.
func (p *Plan) ChecksumsPath() string { return p.releaseName() + "_checksums.txt" }

// SBOMPath is the SPDX SBOM of a binary of a platform, beside the
// platform's archive (archives hold binaries and extras only).
func (p *Plan) SBOMPath(b Bin, pl matrix.Platform) string {
	return p.releaseName() + "_" + pl.Slug() + "_" + b.Name + ".spdx.json"
}

// ProvenancePath is the release's in-toto provenance statement. It covers
// the files of the checksums file and so cannot be listed in it.
func (p *Plan) ProvenancePath() string { return p.releaseName() + ".intoto.json" }

// ImagePath is the OCI image (a tarred image layout).
func (p *Plan) ImagePath() string { return p.releaseName() + "_oci.tar" }

// DockerfilePath is the Dockerfile that builds the same image; it carries
// the version so that a later release does not overwrite a file an
// earlier checksums file covers.
func (p *Plan) DockerfilePath() string { return p.releaseName() + ".Dockerfile" }

// ImageTag is the image's tag: the plain version with "+" (not allowed in
// tags) as "_", "latest" without a version.
func (p *Plan) ImageTag() string {
	return cmp.Or(strings.ReplaceAll(p.Version.Plain, "+", "_"), "latest")
}

// UnitPath is the systemd unit ("" when the project is not a service).
func (p *Plan) UnitPath() string {
	if p.PackageWith.Service == nil {
		return ""
	}
	return p.PackageWith.Service.FileName()
}

// resolvePackage applies the package stage's defaults.
func (p *Plan) resolvePackage(s PackageSettings) error {
	pp := PackagePlan{PackageSettings: s, ModTime: p.Version.Date}
	if pp.ModTime.IsZero() {
		pp.ModTime = gitinfo.MinSourceDate // the earliest time a zip holds
	}
	first := p.mainBinary()
	if s.Service != nil {
		u := s.Service.WithDefaults(p.Project, first, s.Description)
		pp.Service = &u
	}
	pp.Entrypoint = cmp.Or(s.Image.Entrypoint, first)
	if !slices.Contains(p.names(), pp.Entrypoint) {
		return fmt.Errorf("Config.Package.Image.Entrypoint %q is none of the binaries (%s)", pp.Entrypoint, p.binaryNames())
	}
	if s.OSPackages != nil {
		if err := s.OSPackages.CheckNames(p.Project, p.names()); err != nil {
			return fmt.Errorf("Config.Package.OSPackages: the project's or binaries' names do not suit the packages (set Config.Project or the binaries' Name):\n  %w", err)
		}
	}
	p.PackageWith = pp
	return nil
}

// mainBinary is the binary the image and the service run by default: the
// one named after the project when there is one, else the first.
func (p *Plan) mainBinary() string {
	if slices.Contains(p.names(), p.Project) {
		return p.Project
	}
	return p.Binaries[0].Name
}

// names are the binaries' names, in the plan's order.
func (p *Plan) names() []string {
	names := make([]string, len(p.Binaries))
	for i, b := range p.Binaries {
		names[i] = b.Name
	}
	return names
}

func (p *Plan) binaryNames() string { return strings.Join(p.names(), ", ") }
