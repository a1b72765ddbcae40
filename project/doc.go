// Package project reads what a Go module ships: its programs, their version
// variables and its own release config. It reads source files only (go.mod,
// Go files through go/build and go/parser, the README, .goreleaser.yml); it
// never runs the go command, so the plan can call it once at resolve.
//
// # Programs
//
// A directory is a program only when go/build, evaluated for the planned
// platforms (GOOS, GOARCH, cgo and the configured tags), says it holds Go
// files of package main for at least one of them: a root file with
// //go:build tools and package main is not a program, nor is a magefile.
// magefiles/, testdata/, vendor/, directories starting with "_" or "." and
// nested modules are never searched. Module.Programs takes, in order, the
// first source that names programs:
//
//  1. the Go builds of the module's .goreleaser.yml (the maintainers'
//     release statement): each build's main package, binary and builds;
//     builds with another builder, skipped builds and mains that are not a
//     program here are left out with a note;
//  2. the README's `go install <module>/path@version` lines (the
//     maintainers' install statement), `/...` patterns expanded to the
//     programs under them;
//  3. the structure: the module root when it is package main; else every
//     program directly under cmd/, named after its directory; else the
//     module's only program; else a ChoiceError listing the candidates
//     and the Config.Binaries line that picks them.
//
// So maintainers' helper commands under cmd/ (a release script, a test
// helper) ship only when no statement exists (and the note says which
// programs the structural rule took), and a plugin set kept outside cmd/
// ships when the release config or the README names it. Each Program says
// why it was chosen.
//
// # Version variables
//
// Module.Identity finds the variables -X stamps with the version, commit
// and date, by types: package-level variables of the predeclared type
// string, either uninitialised or initialised by a constant expression
// (never constants, never bools or named string types, never a variable
// initialised by a call or another non-constant expression: -X cannot set
// those reliably), in files the build includes. The packages searched are
// the program's main package and the module's own packages it imports,
// ranked in tiers:
//
//  1. the main package (stamped as main.<Name>);
//  2. packages named version, buildinfo or build;
//  3. the package <module>/cmd;
//  4. the module root package.
//
// Names, compared case-insensitively with '_' removed: version (then
// <prefix>Version with a prefix among the program's name, the module's
// name, app, binary, build, cli, cmd, git, main, program, release and
// tool — so main.airVersion counts, main.goVersion does not); commit
// (commit, gitcommit, commithash, commitsha, gitsha, githash, revision,
// gitrevision, buildcommit); date (date, builddate, buildtime,
// buildtimestamp, commitdate, releasedate). The first tier with a
// candidate decides, and within it exact names before prefixed ones: one
// candidate is stamped; two or more are ambiguous, and none is stamped,
// with a note naming the candidates and the config line for each.
//
// Identity also says whether the program reads its version from Go's own
// build info: a package of the program calls runtime/debug.ReadBuildInfo
// and reads the Version of a debug.Module that comes from the BuildInfo's
// Main field (checked with go/types, so importing runtime/debug for
// SetTraceback does not count). Go's VCS stamping then gives the version.
//
// # Release config
//
// ReadConfig reads .goreleaser.yml (or .yaml, also under .config/, config
// versions 0/1 and 2) into plain data: its Go builds with id, main, dir,
// binary, ldflags, flags, tags, env, goos/goarch/goarm/goamd64/…, ignore,
// targets, overrides and skip. Anything kiln does not use (hooks,
// archives, publishers, GoReleaser Pro fields) is one Note, never an
// error. Config.Render renders the templates with a Facts value into
// per-(build, platform) flags, including the cgo statement (CGO_ENABLED
// from the file's env); MergeLDFlags merges kiln's own -s -w and -X with
// the file's without duplicates.
package project
