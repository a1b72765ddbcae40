package release

import (
	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/evidence/sigbundle"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/pack/oci"
	"github.com/kiln-build/kiln/pack/ospackage"
	"github.com/kiln-build/kiln/pack/systemd"
	"github.com/kiln-build/kiln/verify"
)

// Settings is a project's kiln configuration, set in Go (a magefile's
// init(), or a plain Go program). Every field has a default that works for
// an ordinary module; Resolve applies the defaults and the KILN_*
// environment overrides, once.
type Settings struct {
	// Project names the release: the dist/ directories, archives,
	// checksums, packages and image. Default: Name when it is set, else the
	// last element of the module path (without a /vN suffix).
	Project string
	// Name and Main are the one-binary shorthand for Binaries: the binary's
	// name (default: its main package's directory, the module's last
	// element for the module root) and its main package, a directory
	// ("./cmd/app") or an import path.
	Name, Main string
	// Binaries are the programs the project ships. Default: what the
	// maintainers state (the Go builds of the module's .goreleaser.yml,
	// else the README's `go install` lines), else the module root when it
	// is package main, else every main package under cmd/, else the
	// module's only main package (see package project). Main packages are
	// found with build constraints evaluated for the planned platforms.
	// The .goreleaser.yml builds also give each binary's defaults (name,
	// ldflags, flags, tags, env, cgo, platforms); what is set here wins.
	Binaries []Binary
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
	// VersionVars names the string variables that receive the version,
	// commit and date ("example.com/tool/internal/version.Version"), "-"
	// for none; it wins over the file and the search. Default: per
	// binary, the variables package project finds by type (package-level
	// string variables named version/Version/…, commit, date in the main
	// package, then a package named version, buildinfo or build, then
	// <module>/cmd, then the module root), unless the .goreleaser.yml
	// ldflags set them; an ambiguous choice stamps none, with a note.
	VersionVars StampVars
	// Tags, LDFlags and Env are added to every binary's build.
	Tags    []string
	LDFlags []string
	Env     []string
	// Cgo is "auto" (default: cgo exactly when a dependency needs it,
	// linked statically; a platform kiln cannot link with cgo is refused),
	// "on" or "off" (the maintainers' statement that the programs work
	// without cgo: dependencies' cgo files are left out, and the build
	// table, the manifest and verify name those packages). Default per
	// (binary, platform): the .goreleaser.yml env's CGO_ENABLED, else auto.
	Cgo CgoMode
	// CC sets the C compiler per platform ("linux/arm64": "my-gcc") for
	// cgo builds; defaults are musl-gcc for linux/amd64, Debian's cross
	// compilers with -static elsewhere on linux, and Debian's mingw-w64
	// with -static for windows/amd64 and windows/386.
	CC map[string]string
	// Toolchains is "install" to let kiln install missing C toolchains
	// (mingw-w64 included), bubblewrap, qemu-user-static and wine64 (for
	// verify's runs of windows binaries) with apt-get (as root, or with
	// non-interactive sudo), saying what it installs; default "off": their
	// absence is an error naming the apt-get line.
	Toolchains string
	// Static makes crossall build fully static binaries (netgo, osusergo;
	// static cgo) like the static target does.
	Static bool
	// Universal joins each binary's darwin/amd64 and darwin/arm64 builds
	// into one universal macOS binary, <project>_darwin_universal/<name>,
	// when both are in the run: "off" (default); "beside": its archive
	// <project>_<version>_darwin_universal.tar.gz ships beside the
	// per-arch archives; "alone": it replaces them (the per-arch builds are
	// still built and verified, not shipped). KILN_UNIVERSAL overrides it.
	Universal string

	Windows WindowsSettings
	Verify  VerifySettings
	Package PackageSettings
}

// StampVars names the variables -X sets: see Settings.VersionVars.
type StampVars = gobuild.StampVars

// CgoMode is a cgo mode: "auto", "on" or "off" (see Settings.Cgo).
type CgoMode = gobuild.CgoMode

// Binary is one program of the project: see package binaries.
type Binary = binaries.Binary

// VerifySettings configures the verify stage: see verify.Settings.
type VerifySettings = verify.Settings

// PackageSettings configures the package stage.
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
	OSPackages ospackage.Packager
	// Signing signs the checksums file and the provenance into Sigstore
	// bundles (<file>.sigstore.json) when a key is given; opt-in: set it
	// with github.com/kiln-build/kiln/targets/signing.New().
	Signing sigbundle.Loader
	// SigningKey is the key file (relative to the module root), an ECDSA
	// P-256 key in PEM or cosign's encrypted key (its password from
	// COSIGN_PASSWORD); KILN_SIGNING_KEY overrides it. No key: no signing.
	SigningKey string
}

// Service describes a systemd service: see pack/systemd.Unit for every
// field. Name defaults to the project's name and ExecStart to
// /usr/bin/<the main binary> (the one named after the project, else the
// first); the unit is hardened by default.
type Service = systemd.Unit

// Image configures the OCI image: see pack/oci.Settings. Its Entrypoint
// defaults to the binary named after the project when there is one, else
// the first binary; every linux binary of the platform is in the image.
type Image = oci.Settings
