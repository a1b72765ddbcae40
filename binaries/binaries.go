// Package binaries decides every binary of a release — its name, main
// package, platforms, build flags, cgo decision and version stamp — from
// the Go settings and what package project reads of the module.
package binaries

import (
	"slices"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// Binary is one program of the project, as the settings configure it.
type Binary struct {
	// Name of the binary, without ".exe"; default: the main package's
	// directory name (the module's last element for the module root).
	Name string
	// Main is the main package: a directory ("./cmd/app") or an import
	// path. Required.
	Main string
	// Tags, LDFlags and Env are added to the project's for this binary.
	Tags, LDFlags, Env []string
	// Cgo overrides the project's cgo mode for this binary: "auto", "on"
	// or "off" on all its platforms, or followed by a colon and a platform
	// selector on those only ("off:darwin/*,windows/*").
	Cgo gobuild.CgoMode
	// Platforms limits the binary to the platforms of the matrix that this
	// selector names, e.g. "linux/*"; default: every platform.
	Platforms string
	// VerifyArgs are this binary's smoke-test arguments (exit code 0
	// expected); default Verify.Args.
	VerifyArgs []string
}

// Bin is one resolved binary.
type Bin struct {
	Name string // file name without ".exe"
	Main string // main package as configured: "./cmd/app" or an import path
	// ImportPath is the main package's import path, as its build info records it.
	ImportPath string
	// Tags, LDFlags and Env are the Go configuration's (Settings and
	// Binary); Builds has what each platform is built with.
	Tags, LDFlags, Env []string
	// Platforms are the platforms of this run the binary is built for.
	Platforms []matrix.Platform
	// Builds are how it is built on each of its platforms: the Go
	// configuration merged with the release config's statement, and the
	// cgo decision.
	Builds map[matrix.Platform]BinBuild
	// Stamp names the variables -X sets for this binary ("-": none), and
	// Stamped says what reaches the program: "-X main.Version main.date",
	// "build info", "none: <why>".
	Stamp   gobuild.StampVars
	Stamped string
	// VerifyArgs are the smoke-test arguments when they are the binary's
	// own (nil: the plan's).
	VerifyArgs []string
}

// On reports whether the binary is built for pl in this run.
func (b Bin) On(pl matrix.Platform) bool { return slices.Contains(b.Platforms, pl) }

// OnOS reports whether the binary is built for some platform of os.
func (b Bin) OnOS(os string) bool {
	return slices.ContainsFunc(b.Platforms, func(pl matrix.Platform) bool { return pl.OS == os })
}

// BinBuild is how one binary is built for one platform.
type BinBuild struct {
	// Tags, LDFlags (after kiln's -s -w and -X), Env and Flags (go build
	// flags such as -gcflags=…) are the Go configuration's with the
	// release config's build for the platform merged in (Go wins).
	Tags, LDFlags, Env, Flags []string
	// Cgo is the cgo mode, and CgoBy who decided it ("Config.Binaries[0].Cgo",
	// "KILN_CGO", ".goreleaser.yml builds[0] env CGO_ENABLED=0"); "" for
	// kiln's default, auto.
	Cgo   gobuild.CgoMode
	CgoBy string
}

// Decision is the cgo decision in words: "auto", "off (KILN_CGO)".
func (bb BinBuild) Decision() string {
	if bb.CgoBy == "" {
		return string(bb.Cgo)
	}
	return string(bb.Cgo) + " (" + bb.CgoBy + ")"
}
