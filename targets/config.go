package targets

import (
	"github.com/kiln-build/kiln/evidence/sigbundle"
	"github.com/kiln-build/kiln/pack/ospackage"
	"github.com/kiln-build/kiln/release"
)

// Config is kiln's configuration. Set its fields from your magefile's
// init(); every field has a default that works for an ordinary module (see
// release.Settings), and the KILN_* environment variables override them
// when a target runs:
//
//	KILN_MAIN     main packages, comma-separated (directories or import paths)
//	KILN_NAME     binary name (one binary)
//	KILN_MATRIX   platform selector, e.g. "linux/*,!linux/386" or "default,windows/386"
//	KILN_OUT      output directory (default dist)
//	KILN_JOBS     builds at once
//	KILN_SHARD    i/n: build only the i-th of n parts of the matrix
//	KILN_VERSION  version (semver), instead of git describe
//	KILN_STATIC   true: crossall builds fully static binaries
//	KILN_CGO      auto, on or off
//	KILN_LOCK     wait (default) or fail when another run holds the output directory
//	KILN_UNIVERSAL  off (default), beside or alone: universal macOS binaries
//	KILN_WINE     auto (default), run or off: verify runs windows/amd64 binaries under wine
//	KILN_WINEPREFIX the wine prefix kiln creates and reuses (default ~/.cache/kiln/wine)
//	KILN_SIGNING_KEY  key file that signs the checksums and provenance (with Package.Signing)
//	COSIGN_PASSWORD   the password of an encrypted cosign key
var Config release.Settings

// The configuration's types, for magefiles that import only this package.
type (
	Settings         = release.Settings
	Binary           = release.Binary
	CgoMode          = release.CgoMode
	Service          = release.Service
	Image            = release.Image
	OSPackager       = ospackage.Packager
	OSPackageRequest = ospackage.Request
	OSPackage        = ospackage.Package
	OSBinary         = ospackage.Binary
	WindowsSettings  = release.WindowsSettings
	WindowsManifest  = release.WindowsManifest
	Signer           = sigbundle.Signer
	SigningLoader    = sigbundle.Loader
)
