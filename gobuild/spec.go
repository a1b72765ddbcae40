// Package gobuild is kiln's build engine: a Spec (main package, platform,
// flags) becomes a `go build` run with an explicit environment, reproducible
// flags and an atomic write of the output. Builds of many platforms run in
// parallel; every failure is collected; an output whose inputs did not
// change is not relinked. A Result describes what was built and how, down
// to its manifest entry (Result.Entry).
package gobuild

import (
	"cmp"
	"time"

	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
)

// CgoMode says when a build uses cgo.
type CgoMode string

const (
	// CgoAuto builds with cgo exactly when a non-standard package the main
	// package depends on has cgo files (`import "C"`), linking statically.
	CgoAuto CgoMode = "auto"
	// CgoOn always builds with cgo (statically linked on linux).
	CgoOn CgoMode = "on"
	// CgoOff never builds with cgo: the maintainers' statement that their
	// program works without it. The cgo files of dependencies are left
	// out (the package compiles to its fallback, or to a stub that fails
	// at run time), and the Result names those packages.
	CgoOff CgoMode = "off"
)

// Valid reports whether m is one of the modes: auto, on or off.
func (m CgoMode) Valid() bool { return m == CgoAuto || m == CgoOn || m == CgoOff }

// Spec is one binary to build.
type Spec struct {
	Dir      string          // directory to run go in (the module root)
	Main     string          // main package: a directory ("./cmd/app") or an import path
	Name     string          // binary name, without ".exe"
	Out      string          // output file
	Platform matrix.Platform // target platform
	Tags     []string        // build tags
	LDFlags  []string        // extra -ldflags arguments, after kiln's own
	Env      []string        // extra environment, e.g. CGO_CFLAGS=...
	Stamp    Stamp           // version facts injected with -X
	Cgo      CgoMode         // "" means CgoAuto
	CC       string          // C compiler for cgo builds; "" picks a static-capable default
	Static   bool            // fully static: adds netgo,osusergo
	Post     *Post           // a step applied to the linked file before it is recorded; nil: none
	Flags    []string        // extra go build flags (-gcflags=…, -buildmode=…), after kiln's own
	// VCS turns Go's VCS stamping on (-buildvcs=true) for a build from a
	// clean checkout; nil turns it off (-buildvcs=false).
	VCS *VCS
}

// VCS are the facts of a clean checkout that Go's VCS stamping records in
// a binary: the go command reads them from git itself (vcs.revision,
// vcs.time, vcs.modified=false, and the tag as the main module's
// version), and the engine keys on them, so a new commit or tag relinks.
type VCS struct {
	Revision string    // the commit checked out
	Time     time.Time // its commit time
	Tag      string    // the version git describe gives it ("v1.2.3")
}

// Stamp is the version facts injected with -X, by default into
// main.version, main.commit and main.date.
type Stamp struct {
	Version, Commit string
	Date            time.Time
	// Vars names the variables that receive them ("import/path.name").
	Vars StampVars
}

// StampVars names the string variables -X sets; an empty field means the
// main package's (main.version, main.commit, main.date), "-" sets none.
type StampVars struct {
	Version, Commit, Date string
}

// DefaultStampVars are the variables stamped unless configured.
var DefaultStampVars = StampVars{Version: "main.version", Commit: "main.commit", Date: "main.date"}

// flags returns the -X arguments of the stamp.
func (st Stamp) flags() []string {
	var ld []string
	for _, v := range []struct{ name, def, value string }{
		{st.Vars.Version, DefaultStampVars.Version, st.Version},
		{st.Vars.Commit, DefaultStampVars.Commit, st.Commit},
		{st.Vars.Date, DefaultStampVars.Date, gitinfo.FormatDate(st.Date)},
	} {
		switch name := cmp.Or(v.name, v.def); name {
		case "-":
		default:
			ld = append(ld, "-X", name+"="+v.value)
		}
	}
	return ld
}

// Status is what happened to one spec.
type Status string

// The statuses of a Result.
const (
	Built    Status = "built"
	UpToDate Status = "up to date"
	Failed   Status = "failed"
)

// Result is the outcome of building one spec.
type Result struct {
	Spec        Spec
	Status      Status
	Duration    time.Duration
	Size        int64
	SHA256      string
	Cgo         bool     // built with CGO_ENABLED=1
	CC          string   // the C compiler of a cgo build
	CgoPackages []string // non-standard packages that need cgo
	// CgoLeftOut are the packages whose cgo files the build left out (cgo
	// off by a statement while they need it): each compiled to its
	// fallback, or to a stub that fails at run time.
	CgoLeftOut []string
	Tags       []string // the build tags used, kiln's included
	// Static: built to have no dynamic dependencies (CGO_ENABLED=0, or cgo
	// linked with -extldflags -static on linux and windows); false for a
	// cgo build linked against the system's libraries (darwin) or a
	// position-independent ELF that needs an interpreter.
	Static bool
	Key    string // the content key of the build's inputs (its identity)
	// Args are the arguments of the go build that made the output, after
	// "go build -o <output>" (the output path is a temporary file's), and
	// Env the entries of its environment that decide the output: GO*,
	// CGO_*, CC and CXX, without the ones that only say where the go
	// command keeps things (GOCACHE, GOPATH, GOPROXY, …). Both are recorded
	// with the output, so an up-to-date build reports them too.
	Args, Env []string
	GoVersion string // the go command's version, e.g. "go1.26.8"
	Err       error
}
