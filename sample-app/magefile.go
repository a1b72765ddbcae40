//go:build mage

// The sample app's build: kiln's targets, imported and configured, and
// nothing else.
package main

import (
	//mage:import
	"github.com/kiln-build/kiln/targets"
	"github.com/kiln-build/kiln/targets/ospkg"
	"github.com/kiln-build/kiln/targets/signing"
)

func init() {
	// Two programs: the service (with a C component on linux) and its
	// pure-Go client. The image runs the first.
	targets.Config.Binaries = []targets.Binary{
		// The service's smoke test in an empty root checks its C
		// component, user and DNS lookups.
		{Main: ".", VerifyArgs: []string{"-selftest"}},
		// The client: verify probes --version, -version, --help, -h.
		{Main: "./cmd/samplectl"},
	}
	// A fresh Debian/Ubuntu machine with Go gets the musl and cross C
	// toolchains, bubblewrap and qemu-user-static on first use.
	targets.Config.Toolchains = "install"
	targets.Config.Package.Service = &targets.Service{
		Description: "kiln sample HTTP service",
		Args:        []string{"-addr", "127.0.0.1:8080"},
	}
	targets.Config.Package.Description = "kiln sample HTTP service"
	targets.Config.Package.License = "Apache-2.0"
	targets.Config.Package.Maintainer = "kiln developers <dev@kiln-build.invalid>"
	targets.Config.Package.Homepage = "https://github.com/kiln-build/kiln"
	targets.Config.Package.Image.ExposedPorts = []string{"8080"}
	// deb, rpm and apk: opt-in, see the ospkg package.
	targets.Config.Package.OSPackages = ospkg.New()
	// Sigstore bundles of the checksums file and the provenance whenever
	// KILN_SIGNING_KEY names a key (COSIGN_PASSWORD for cosign's encrypted
	// keys): opt-in, see the signing package.
	targets.Config.Package.Signing = signing.New()
}
