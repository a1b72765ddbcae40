// Package artifact is the manifest of what kiln produced: dist/artifacts.json.
// Every stage (build, verify, package) reads it instead of globbing the
// output directory, and adds or updates its own entries.
package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/kiln-build/kiln/internal/atomicfile"
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
	// Cgo is true for binaries built with CGO_ENABLED=1.
	Cgo bool `json:"cgo,omitempty"`
	// Static is true for binaries built to be fully static.
	Static bool `json:"static,omitempty"`
	// Tags are the build tags of a binary.
	Tags []string `json:"tags,omitempty"`
	// Verify is the verify result, for binaries that were verified.
	Verify *VerifyResult `json:"verify,omitempty"`
}

// VerifyResult is what `mage verify` found about a binary.
type VerifyResult struct {
	OK        bool     `json:"ok"`
	Format    string   `json:"format"`
	Static    bool     `json:"static"`
	Cgo       bool     `json:"cgo"`
	GoVersion string   `json:"go_version,omitempty"`
	Stripped  bool     `json:"stripped"`
	Ran       string   `json:"ran"`
	Problems  []string `json:"problems,omitempty"`
}

// Platform returns the artifact's platform (zero for platform-less kinds).
func (a Artifact) Platform() matrix.Platform {
	return matrix.Platform{OS: a.OS, Arch: a.Arch, Variant: a.Variant}
}

// Manifest is the content of artifacts.json.
type Manifest struct {
	Name      string     `json:"name,omitempty"`
	Version   string     `json:"version,omitempty"`
	Commit    string     `json:"commit,omitempty"`
	Date      string     `json:"date,omitempty"`
	Artifacts []Artifact `json:"artifacts"`
}

// Load reads dir/artifacts.json. A missing file gives an empty manifest.
func Load(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if errors.Is(err, fs.ErrNotExist) {
		return &Manifest{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", filepath.Join(dir, FileName), err)
	}
	return &m, nil
}

// Save writes the manifest atomically to dir/artifacts.json, artifacts
// sorted by path so that the file is deterministic.
func (m *Manifest) Save(dir string) error {
	sort.Slice(m.Artifacts, func(i, j int) bool { return m.Artifacts[i].Path < m.Artifacts[j].Path })
	if m.Artifacts == nil {
		m.Artifacts = []Artifact{}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, FileName), append(data, '\n'), 0o644)
}

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

// Describe fills Size and SHA256 of an artifact from the file at
// dir/a.Path.
func Describe(dir string, a Artifact) (Artifact, error) {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(a.Path)))
	if err != nil {
		return a, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return a, fmt.Errorf("hash %s: %w", a.Path, err)
	}
	a.Size = n
	a.SHA256 = hex.EncodeToString(h.Sum(nil))
	return a, nil
}
