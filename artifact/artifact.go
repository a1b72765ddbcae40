// Package artifact is the manifest of what kiln produced: dist/artifacts.json.
// Every stage (build, verify, package) reads it instead of globbing the
// output directory, and adds or updates its own entries.
package artifact

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"

	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/matrix"
)

// Kind says what an artifact is.
type Kind string

// The kinds of artifact kiln writes.
const (
	Binary      Kind = "binary"
	Archive     Kind = "archive"
	Checksums   Kind = "checksums"
	Deb         Kind = "deb"
	RPM         Kind = "rpm"
	APK         Kind = "apk"
	OCIImage    Kind = "oci-image"
	SystemdUnit Kind = "systemd-unit"
	Dockerfile  Kind = "dockerfile"
	// SBOM is a binary's SPDX 2.3 SBOM (Name and platform: the binary's).
	SBOM Kind = "sbom"
	// Provenance is the release's in-toto / SLSA provenance statement.
	Provenance Kind = "provenance"
	// Universal is a universal (fat) macOS binary joining one binary's
	// darwin/amd64 and darwin/arm64 builds (OS darwin, Arch "universal");
	// its Key identifies the two builds it joins.
	Universal Kind = "universal-binary"
	// Signature is a Sigstore bundle, <file>.sigstore.json, signing the
	// checksums file or the provenance (Name: the project's).
	Signature Kind = "signature"
)

// FileName is the manifest's name inside the output directory.
const FileName = "artifacts.json"

// Artifact is one file in the output directory.
type Artifact struct {
	// Path is relative to the output directory, with forward slashes.
	Path    string `json:"path"`
	Kind    Kind   `json:"kind"`
	Name    string `json:"name,omitempty"`
	OS      string `json:"os,omitempty"`
	Arch    string `json:"arch,omitempty"`
	Variant string `json:"variant,omitempty"`
	Size    int64  `json:"size"`
	SHA256  string `json:"sha256"`
	// The identity a binary was built with: its main package's import
	// path, the version and commit stamped into it, and the build engine's
	// key of every input. An SBOM carries the Key of the binary it
	// describes, so a later build of that binary makes it stale.
	Main    string `json:"main,omitempty"`
	Version string `json:"version,omitempty"`
	Commit  string `json:"commit,omitempty"`
	Key     string `json:"key,omitempty"`
	// How a binary was linked, as the build engine decided: Cgo is true
	// for CGO_ENABLED=1 (CC the C compiler), Static for a binary built to
	// load no library (other than the OS's own on darwin and windows).
	Cgo    bool   `json:"cgo,omitempty"`
	CC     string `json:"cc,omitempty"`
	Static bool   `json:"static,omitempty"`
	// Tags are the build tags of a binary.
	Tags []string `json:"tags,omitempty"`
	// Args and Env are the go build that made a binary, as the engine ran
	// it (gobuild.Result): its arguments after "go build -o <output>" and
	// the environment entries that decide its output.
	Args []string `json:"args,omitempty"`
	Env  []string `json:"env,omitempty"`
	// CgoDecision is the plan's cgo decision for the binary on its
	// platform and who made it: "auto", "off (KILN_CGO)", "off
	// (.goreleaser.yml builds[0] env CGO_ENABLED=0)". CgoLeftOut are the
	// packages whose cgo files the build left out: a fallback, or a stub
	// that fails at run time.
	CgoDecision string   `json:"cgo_decision,omitempty"`
	CgoLeftOut  []string `json:"cgo_left_out,omitempty"`
	// Stamped says how the program learns its version: "-X main.Version",
	// "build info", "none: <why>". VCS is true when Go's VCS stamping was
	// on (a clean checkout: the build info holds the tag and commit).
	Stamped string `json:"stamped,omitempty"`
	VCS     bool   `json:"vcs,omitempty"`
	// Verify is the verify result, for binaries that were verified.
	Verify *VerifyResult `json:"verify,omitempty"`
}

// VerifyResult is what `mage verify` found about a binary.
type VerifyResult struct {
	OK        bool   `json:"ok"`
	Format    string `json:"format"`
	Static    bool   `json:"static"`
	Cgo       bool   `json:"cgo"`
	GoVersion string `json:"go_version,omitempty"`
	Stripped  bool   `json:"stripped"`
	// Signature is a darwin binary's code signature as verify read it
	// ("ad-hoc, 212 sha256 page hashes match", "unsigned"), per slice for
	// a universal binary; empty for other formats.
	Signature string `json:"signature,omitempty"`
	// Resources are a windows binary's VERSIONINFO and application
	// manifest as verify read them ("version 1.2.3.0, manifest", "none").
	Resources string `json:"resources,omitempty"`
	// Run is the smoke run in an empty root, or under wine (Via).
	Run RunRecord `json:"run"`
	// Version is what the version flag printed; nil when the binary did
	// not run.
	Version  *VersionCheck `json:"version,omitempty"`
	Problems []string      `json:"problems,omitempty"`
}

// VersionCheck is whether a binary asked for its version printed the
// release's.
type VersionCheck struct {
	// Want is the release version ("v1.2.3").
	Want string `json:"want"`
	// Args are the version flag's arguments ("--version"); empty when no
	// version flag exited 0, and NotChecked says so.
	Args []string `json:"args,omitempty"`
	// Found is the release version as the output spells it ("1.2.3" or
	// "v1.2.3"); "" when the output lacks it.
	Found      string `json:"found,omitempty"`
	NotChecked string `json:"not_checked,omitempty"`
}

// RunRecord is the outcome of a smoke run: it ran with Args and ended with
// ExitCode, or it did not run and NotRun says why.
type RunRecord struct {
	Ran      bool     `json:"ran"`
	Args     []string `json:"args,omitempty"`
	ExitCode int      `json:"exit_code"`
	NotRun   string   `json:"not_run,omitempty"`
	// Via names what ran a binary that does not run in the empty root:
	// "wine" for a windows binary; empty otherwise.
	Via string `json:"via,omitempty"`
}

// Platform returns the artifact's platform (zero for platform-less kinds).
func (a Artifact) Platform() matrix.Platform {
	return matrix.Platform{OS: a.OS, Arch: a.Arch, Variant: a.Variant}
}

// Built reports whether the artifact is a binary the build stage writes:
// a build, or a universal binary joining two.
func (a Artifact) Built() bool { return a.Kind == Binary || a.Kind == Universal }

// Format names the manifest's format in its "format" field: a manifest
// that states it was written by kiln (Save always writes it).
const Format = "kiln-artifacts/v1"

// Manifest is the content of artifacts.json.
type Manifest struct {
	// Format is the format the manifest is written in (Format): the
	// manifest's statement that kiln wrote it. Save sets it.
	Format    string     `json:"format,omitempty"`
	Project   string     `json:"project,omitempty"`
	Version   string     `json:"version,omitempty"`
	Commit    string     `json:"commit,omitempty"`
	Date      string     `json:"date,omitempty"`
	Artifacts []Artifact `json:"artifacts"`
}

// maxManifest bounds the manifest kiln reads.
const maxManifest = 64 << 20

// Load reads dir/artifacts.json (LoadIn). A missing file or directory
// gives an empty manifest.
func Load(dir string) (*Manifest, error) {
	r, err := safefile.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer r.Close()
	return LoadIn(r)
}

// LoadIn reads the manifest of the output directory r, never through a
// symbolic link nor from a FIFO or device in its place. A missing file
// gives an empty manifest. The file is a claim: its entries' paths must be
// canonical, relative and unique (Open checks where they lead) and every
// commit a full git object name (gitinfo.ValidCommit), else LoadIn fails
// with the entry named; a damaged file fails with the way out.
func LoadIn(r *safefile.Root) (*Manifest, error) {
	name := r.Path(FileName)
	f, _, err := r.Open(FileName, maxManifest)
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest %s is damaged (%v): remove the output directory (mage clean) and build again", name, err)
	}
	seen := map[string]bool{}
	var errs []error
	// A commit reaches git (reproduce): only a full object name is one.
	if m.Commit != "" && !gitinfo.ValidCommit(m.Commit) {
		errs = append(errs, &gitinfo.CommitError{Value: m.Commit})
	}
	for i, a := range m.Artifacts {
		if err := safefile.CheckRel(a.Path); err != nil {
			errs = append(errs, fmt.Errorf("entry %d (%s): %w", i, a.Kind, err))
		} else if seen[a.Path] {
			errs = append(errs, fmt.Errorf("entry %d: %s is listed twice", i, a.Path))
		}
		if a.Commit != "" && !gitinfo.ValidCommit(a.Commit) {
			errs = append(errs, fmt.Errorf("entry %d (%s): %w", i, a.Path, &gitinfo.CommitError{Value: a.Commit}))
		}
		seen[a.Path] = true
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("manifest %s makes claims kiln refuses (remove the output directory with mage clean and build again):\n  %w", name, errors.Join(errs...))
	}
	return &m, nil
}

// Save writes the manifest to dir/artifacts.json (SaveIn), making dir
// when it is missing.
func (m *Manifest) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save manifest: %w", err)
	}
	r, err := safefile.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("save manifest: %w", err)
	}
	defer r.Close()
	return m.SaveIn(r)
}

// SaveIn writes the manifest atomically to the output directory r,
// artifacts sorted by path so that the file is deterministic, with Format
// set. It replaces only a regular file: a link, a FIFO or anything else
// in its place is refused, naming it.
func (m *Manifest) SaveIn(r *safefile.Root) error {
	if err := r.Regular(FileName); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("save manifest: %w", err)
	}
	sort.Slice(m.Artifacts, func(i, j int) bool { return m.Artifacts[i].Path < m.Artifacts[j].Path })
	if m.Artifacts == nil {
		m.Artifacts = []Artifact{}
	}
	m.Format = Format
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return r.WriteFileAtomic(FileName, append(data, '\n'), 0o644)
}

// Kiln reports whether the manifest states that kiln wrote it (its format
// is Format): a file named artifacts.json that parses is not enough to
// make a directory kiln's.
func (m *Manifest) Kiln() bool { return m.Format == Format }

// Put adds a or replaces the artifact with the same path.
func (m *Manifest) Put(a Artifact) {
	for i := range m.Artifacts {
		if m.Artifacts[i].Path == a.Path {
			m.Artifacts[i] = a
			return
		}
	}
	m.Artifacts = append(m.Artifacts, a)
}

// PutBuilt is Put for the entry of a binary just built: when the entry
// it replaces has a verify result and claims the same build (SameBuild),
// a takes that result over.
func (m *Manifest) PutBuilt(a Artifact) {
	for i, old := range m.Artifacts {
		if old.Path == a.Path {
			if old.Verify != nil && old.SameBuild(a) {
				a.Verify = old.Verify
			}
			m.Artifacts[i] = a
			return
		}
	}
	m.Artifacts = append(m.Artifacts, a)
}

// SameBuild reports whether two binary entries claim the same build: the
// same bytes (sha256 and size), name, main package, version, commit, build
// key and platform.
func (a Artifact) SameBuild(b Artifact) bool {
	return a.SHA256 == b.SHA256 && a.Size == b.Size && a.Name == b.Name && a.Main == b.Main &&
		a.Version == b.Version && a.Commit == b.Commit && a.Key == b.Key && a.Platform() == b.Platform()
}

// Remove drops every artifact for which drop returns true.
func (m *Manifest) Remove(drop func(Artifact) bool) {
	kept := m.Artifacts[:0]
	for _, a := range m.Artifacts {
		if !drop(a) {
			kept = append(kept, a)
		}
	}
	m.Artifacts = kept
}

// Filter returns the artifacts that match every filter, in manifest order.
func (m *Manifest) Filter(filters ...Filter) []Artifact {
	var out []Artifact
	for _, a := range m.Artifacts {
		if And(filters...)(a) {
			out = append(out, a)
		}
	}
	return out
}

// Filter selects artifacts.
type Filter func(Artifact) bool

// ByKind selects artifacts of the given kinds.
func ByKind(kinds ...Kind) Filter {
	return func(a Artifact) bool {
		for _, k := range kinds {
			if a.Kind == k {
				return true
			}
		}
		return false
	}
}

// ByOS selects artifacts for one GOOS.
func ByOS(goos string) Filter { return func(a Artifact) bool { return a.OS == goos } }

// And selects artifacts that match every filter.
func And(filters ...Filter) Filter {
	return func(a Artifact) bool {
		for _, f := range filters {
			if !f(a) {
				return false
			}
		}
		return true
	}
}
