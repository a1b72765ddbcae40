package release

import (
	"slices"
	"time"

	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/apt"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/layout"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/report"
)

// Plan is a resolved release: the settings with every default and
// environment override applied, the project's facts, the binaries and
// platforms of this run, and the name of every artifact. Stages (Build,
// Verify, Package, Clean) run from it; nothing downstream re-derives a
// name, a default or a policy.
type Plan struct {
	// Dir is the module root (absolute); Module its module path.
	Dir, Module string
	// Names name every file of the release (see package layout): the
	// Project and the plain version (Version.Plain).
	layout.Names
	// Version holds the version in all its forms, the commit and its date.
	Version Version
	// Binaries are the programs of this run, each with its platforms.
	Binaries []Bin
	// Platforms are the platforms of this run: the matrix (or the host, or
	// a selector) with KILN_SHARD applied.
	Platforms []matrix.Platform
	// Out is the output directory (absolute).
	Out string
	// Jobs bounds the builds (and verify runs, and packages) at once.
	Jobs int
	// Static: every build is fully static (netgo, osusergo; static cgo).
	Static bool
	// Shard is the part of the matrix this run builds (zero: all of it).
	Shard matrix.Shard
	// CC is the C compiler per platform ("linux/arm64") for cgo builds.
	CC map[string]string
	// StampVars are the configured variables that receive the version
	// facts (Settings.VersionVars); each binary's own are Bin.Stamp.
	StampVars StampVars
	// VCS is set when Go stamps the checkout's VCS facts into the
	// binaries (-buildvcs=true): a clean checkout.
	VCS *gobuild.VCS
	// Verify and Package are the resolved settings of those stages.
	VerifyWith  VerifyPlan
	PackageWith PackagePlan
	// WindowsWith is the resolved Windows settings (resources).
	WindowsWith WindowsPlan
	// Universal is "" (no universal macOS binary), "beside" or "alone":
	// see Settings.Universal.
	Universal string
	// CI is true when the CI variable is set: a check that cannot run fails.
	CI bool
	// InstallTools: install the Debian packages of missing C toolchains
	// and run-check tools (Settings.Toolchains, KILN_TOOLCHAINS).
	InstallTools bool
	// AllowDirty: package a work tree with uncommitted changes in CI
	// (KILN_ALLOW_DIRTY).
	AllowDirty bool
	// LockWait: a second run on the same output directory waits for the
	// first (KILN_LOCK=wait, the default) instead of failing at once
	// (KILN_LOCK=fail).
	LockWait bool
	// Start is when the plan was resolved: the stages' timings count from it.
	Start time.Time
	// ShardCount is KILN_SHARDS: how many CI jobs share the matrix (the
	// shards target and merge); 0: a default from the matrix size.
	ShardCount int

	// planned are the platforms of the whole run before KILN_SHARD: what
	// the module ships is read for them, so that shards agree.
	planned []matrix.Platform
	// notes are what reading the module found worth saying once (its
	// release config's unused fields, the programs chosen, ambiguous
	// version variables), printed by build and matrix.
	notes []string

	in       inputs          // what the plan was resolved from, for Rebuild
	evidence evidenceOptions // see evidence.go
	// The stages' tools: the build engine (and the universe it reported),
	// where they report and the toolchain installs.
	engine   *gobuild.Engine
	universe *matrix.Universe
	rep      report.Reporter
	tools    apt.Toolchains
}

// Version is the version of a release in the forms its consumers need.
type Version struct {
	// Semver is the version with a leading "v" (v1.2.3, v1.2.3+dirty,
	// v0.0.0-20260102150405-abcdef123456): what -X stamps as the version.
	Semver string
	// Plain is Semver without the "v": the form in file names and tags.
	Plain string
	// Commit is the full commit hash ("" without git); Date the commit
	// time, or SOURCE_DATE_EPOCH.
	Commit string
	Date   time.Time
	// Dirty: the work tree has uncommitted changes (Changes), whatever
	// set the version.
	Dirty   bool
	Changes []gitinfo.Change
	// Note says why facts are missing (no git), for one line of output.
	Note string
}

// Bin is one resolved binary: see package binaries.
type Bin = binaries.Bin

// VerifyPlan is the verify stage's resolved settings: Verify.Windows is
// "auto", "run" or "off" (KILN_WINE), Verify.WinePrefix "" or absolute
// (KILN_WINEPREFIX).
type VerifyPlan = VerifySettings

// BinBuild is how one binary is built for one platform.
type BinBuild = binaries.BinBuild

// PackagePlan is the package stage's resolved settings.
type PackagePlan struct {
	PackageSettings
	// Service is the unit with its defaults applied (nil: not a service).
	Service *Service
	// Entrypoint is the binary the image runs.
	Entrypoint string
	// ModTime is the time stamped on every packaged file: the commit time
	// or SOURCE_DATE_EPOCH, else 1980-01-01 (the earliest a zip holds).
	ModTime time.Time
}

// BinaryPath is where a binary of a platform is written.
func (p *Plan) BinaryPath(b Bin, pl matrix.Platform) string { return p.Names.BinaryPath(b.Name, pl) }

// SBOMPath is the SPDX SBOM of a binary of a platform.
func (p *Plan) SBOMPath(b Bin, pl matrix.Platform) string { return p.Names.SBOMPath(b.Name, pl) }

// Notes are what reading the module found worth saying once (its release
// config's unused fields, the programs chosen, ambiguous version
// variables).
func (p *Plan) Notes() []string { return slices.Clone(p.notes) }

// Reporter is where the stages report: progress lines, tables, GitHub
// Actions groups and step outputs.
func (p *Plan) Reporter() report.Reporter { return p.rep }
