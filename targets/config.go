package targets

import (
	"time"

	"github.com/kiln-build/kiln/pack/systemd"
)

// Config is kiln's configuration. Set its fields from your magefile's
// init(); every field has a default that works for an ordinary module, and
// the KILN_* environment variables override them when a target runs:
//
//	KILN_MAIN     main package (directory or import path)
//	KILN_NAME     binary name
//	KILN_MATRIX   platform selector, e.g. "linux/*,!linux/386" or "default,windows/386"
//	KILN_OUT      output directory (default dist)
//	KILN_JOBS     builds at once
//	KILN_SHARD    i/n: build only the i-th of n parts of the matrix
//	KILN_VERSION  version (semver), instead of git describe
//	KILN_STATIC   true: crossall builds fully static binaries
//	KILN_CGO      auto, on or off
var Config Settings

// Settings is the type of Config.
type Settings struct {
	// Name of the binary; default: the last element of the module path.
	Name string
	// Main package, a directory ("./cmd/app") or an import path; default:
	// "." when the module root is package main, else the module's single
	// main package.
	Main string
	// Out is the output directory; default "dist".
	Out string
	// Matrix is the platform selector crossall builds; default "default":
	// linux/amd64, linux/arm64, linux/arm/7, darwin/amd64, darwin/arm64,
	// windows/amd64, windows/arm64.
	Matrix string
	// Jobs bounds the builds running at once; default 2 (measured fastest
	// on 2 cores, see the README).
	Jobs int
	// Version overrides the version from git describe.
	Version string
	// Tags, LDFlags and Env are added to every build.
	Tags    []string
	LDFlags []string
	Env     []string
	// Cgo is "auto" (default: cgo exactly when a dependency needs it,
	// linked statically), "on" or "off" (fail when a dependency needs cgo).
	Cgo string
	// CC sets the C compiler per platform ("linux/arm64": "my-gcc") for
	// cgo builds; defaults are musl-gcc for linux/amd64 and Debian's cross
	// compilers with -static elsewhere on linux.
	CC map[string]string
	// Static makes crossall build fully static binaries (netgo, osusergo;
	// static cgo) like the static target does.
	Static bool

	Verify  VerifySettings
	Package PackageSettings
}

// VerifySettings configures the verify target.
type VerifySettings struct {
	// Args are the smoke-test arguments each linux binary runs with in an
	// empty root; default "-version".
	Args []string
	// Exit is the expected exit code of the smoke test (default 0).
	Exit int
	// Timeout bounds each smoke test; default 30s.
	Timeout time.Duration
	// NoRun skips the smoke tests (the static checks still run).
	NoRun bool
}

// PackageSettings configures the package target.
type PackageSettings struct {
	// Extras are extra files for the archives, relative to the module root
	// (globs allowed); README*, LICENSE* and COPYING* are included by
	// default.
	Extras []string
	// Description, Homepage, License, Maintainer and Vendor describe the
	// program in packages and image labels.
	Description, Homepage, License, Maintainer, Vendor string
	// Service, when set, makes the program a systemd service: a hardened
	// unit is written and installed by the deb/rpm/apk packages.
	Service *Service
	// NoImage turns the OCI image off.
	NoImage bool
	// Image configures the OCI image.
	Image Image
	// OSPackages builds deb, rpm and apk packages when set; it is opt-in
	// because it costs every consumer compile time: set it with
	// github.com/kiln-build/kiln/targets/ospkg.New().
	OSPackages OSPackager
}

// Service describes a systemd service: see pack/systemd.Unit for every
// field. Name defaults to the binary's name and ExecStart to
// /usr/bin/<name>; the unit is hardened by default.
type Service = systemd.Unit

// Image configures the OCI image.
type Image struct {
	// Cmd are the arguments after the entrypoint (the binary).
	Cmd []string
	// Env are KEY=VALUE strings set in the image.
	Env []string
	// ExposedPorts such as "8080" or "53/udp".
	ExposedPorts []string
	// Labels are added to the org.opencontainers.image.* labels.
	Labels map[string]string
	// CACerts is the CA bundle copied into the image; default
	// /etc/ssl/certs/ca-certificates.crt.
	CACerts string
}
