// Package provenance writes the provenance of a release: an in-toto
// Statement v1 (https://in-toto.io/Statement/v1) whose subjects are the
// files of the release's checksums file, with an SLSA Provenance v1
// predicate (https://slsa.dev/provenance/v1) saying how kiln built them
// (Read reads it back):
//
//   - buildDefinition.buildType: BuildType, kiln's release build;
//   - externalParameters: what the user asked for (version, matrix,
//     binaries with their tags and cgo mode, static, the source repository
//     and ref, the module and its directory in the repository);
//   - internalParameters: what kiln chose (the Go version, each go build's
//     arguments and the environment that reached it, C toolchains);
//   - resolvedDependencies: the source commit (uri + gitCommit digest)
//     and every Go module compiled into the binaries (purl + dirHash, the
//     go.sum h1 hash in hex);
//   - runDetails: the builder id and versions, invocation id, start and
//     finish times.
//
// The JSON is written from plain structs with encoding/json; object keys
// are sorted at every level, subjects by name, dependencies by URI, so the
// same release gives the same bytes.
package provenance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The in-toto and SLSA identifiers kiln writes.
const (
	StatementType = "https://in-toto.io/Statement/v1"
	PredicateType = "https://slsa.dev/provenance/v1"
	BuildType     = "https://github.com/kiln-build/kiln/buildtypes/release/v1"
)

// Release is what the provenance of one release says.
type Release struct {
	// Subjects are the released files, as checksum.Parse returns
	// them for the release's checksums file.
	Subjects []Subject
	// BuildType overrides the buildType URI; default BuildType.
	BuildType string
	// External are the parameters the user controls.
	External External
	// Internal are the parameters kiln set.
	Internal Internal
	// Source is the repository and commit the release was built from.
	Source Source
	// Modules are the Go modules compiled into the release's binaries:
	// see ModulesFromBuildInfo.
	Modules []Module
	// BuilderID is the URI of the platform that ran the build, e.g. the CI
	// workflow, or "https://github.com/kiln-build/kiln@v0.4.0" on a laptop.
	BuilderID string
	// KilnVersion is the version of kiln that ran ("v0.4.0"); it goes in
	// runDetails.builder.version with the Go version.
	KilnVersion string
	// InvocationID identifies this run (a CI run URL); optional.
	InvocationID string
	// StartedOn and FinishedOn bound the build; optional (zero: left out).
	StartedOn, FinishedOn time.Time
}

// External are the build's external parameters.
type External struct {
	// Version is the release version, "v1.2.3".
	Version string `json:"version"`
	// Matrix are the platforms, "linux/arm/7"; written sorted.
	Matrix []string `json:"matrix"`
	// Binaries are the programs built for each platform; written sorted
	// by name.
	Binaries []Binary `json:"binaries"`
	// Repository and Ref are the source the user asked for:
	// "https://github.com/org/repo", "refs/tags/v1.2.3".
	Repository string `json:"repository,omitempty"`
	Ref        string `json:"ref,omitempty"`
	// LocalSources are the sources besides the commit that reached the
	// build (a go.work, local replace directories); nil when there are
	// none.
	LocalSources *LocalSources `json:"localSources,omitempty"`
	// Module is the Go module's path and ModuleDir its directory in the
	// repository, slash-separated ("." for the repository's root).
	Module    string `json:"module,omitempty"`
	ModuleDir string `json:"moduleDir,omitempty"`
	// Static: every build was asked to be fully static (netgo, osusergo;
	// static cgo).
	Static bool `json:"static,omitempty"`
}

// LocalSources are the files outside the module's commit, or beside it,
// that the go command used for the build: a go.work in effect and the
// local directories that stand in for modules. Each is named relative to
// the module's directory with the digest of its content.
type LocalSources struct {
	// GoWork is the go.work file in effect ("../go.work"), GoWorkDigest
	// "sha256:<hex>" of its bytes; empty without one.
	GoWork       string `json:"goWork,omitempty"`
	GoWorkDigest string `json:"goWorkDigest,omitempty"`
	// Directories are the local directories, sorted.
	Directories []LocalDirectory `json:"directories,omitempty"`
	// ReproducibleFromCommit is false when any of them is outside the
	// source commit: a rebuild from the commit alone does not have it, so
	// it cannot give the same binaries.
	ReproducibleFromCommit bool `json:"reproducibleFromCommit"`
}

// LocalDirectory is one directory that provides a module to the build in
// place of a version from the module proxy.
type LocalDirectory struct {
	// From is the directive: "go.mod replace", "go.work replace" or
	// "go.work use".
	From string `json:"from"`
	// Module is the module path it stands in for.
	Module string `json:"module"`
	// Path is the directory relative to the module's directory
	// ("../fork"), or its absolute path when the directive names it so.
	Path string `json:"path"`
	// Digest is the directory's content digest, "sha256:<hex>" (see
	// gitinfo.DirDigest for how it is computed).
	Digest string `json:"digest"`
	// InCommit is true when the source commit holds the directory.
	InCommit bool `json:"inCommit"`
}

// Binary is one program of the release.
type Binary struct {
	Name string   `json:"name"`
	Main string   `json:"main"`
	Tags []string `json:"tags,omitempty"`
	// Cgo: some build of it used cgo; CgoMode is the mode asked for,
	// "auto", "on" or "off".
	Cgo     bool   `json:"cgo,omitempty"`
	CgoMode string `json:"cgoMode,omitempty"`
	// Platforms restricts the binary to a matrix selector; empty is all.
	Platforms string `json:"platforms,omitempty"`
}

// Internal are the build's internal parameters.
type Internal struct {
	GoVersion string `json:"goVersion"`
	// Builds are the go builds that made the binaries, as they ran;
	// written sorted by binary and platform.
	Builds []Build `json:"builds,omitempty"`
	// CToolchains maps a platform to the C compiler that built it,
	// "linux/amd64": "musl-gcc (musl 1.2.3)".
	CToolchains map[string]string `json:"cToolchains,omitempty"`
}

// Build is one go build of a release: the binary and platform it made,
// the arguments after "go build -o <output>", and the environment entries
// that decide the output (GO*, CGO_*, CC, CXX: never paths of the go
// command's caches, proxies or credentials).
type Build struct {
	Binary   string   `json:"binary"`
	Platform string   `json:"platform"`
	Args     []string `json:"args"`
	Env      []string `json:"env,omitempty"`
}

// Source is the repository a release was built from.
type Source struct {
	// URI in SLSA's form, "git+https://github.com/org/repo@refs/tags/v1.2.3".
	URI string
	// Commit is the full git commit hash (40 or 64 hex digits).
	Commit string
}

// Statement returns the in-toto Statement for r, as indented JSON with a
// trailing newline. Every missing or malformed field is reported at once.
func Statement(r Release) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	st := statement{
		Type:          StatementType,
		PredicateType: PredicateType,
		Subject:       subjects(r.Subjects),
		Predicate: predicate{
			BuildDefinition: buildDefinition{
				BuildType:            cmpOr(r.BuildType, BuildType),
				ExternalParameters:   r.External.sorted(),
				InternalParameters:   r.Internal.sorted(),
				ResolvedDependencies: resolved(r.Source, r.Modules),
			},
			RunDetails: runDetails{
				Builder: builder{ID: r.BuilderID, Version: versions(r)},
				Metadata: metadata{
					InvocationID: r.InvocationID,
					StartedOn:    timestamp(r.StartedOn),
					FinishedOn:   timestamp(r.FinishedOn),
				},
			},
		},
	}
	return canonical(st)
}

func (r Release) validate() error {
	if err := errors.Join(r.problems()...); err != nil {
		return fmt.Errorf("provenance: %w", err)
	}
	return nil
}

// problems lists every missing or malformed field of r.
func (r Release) problems() []error {
	var errs []error
	if len(r.Subjects) == 0 {
		errs = append(errs, errors.New("no subjects"))
	}
	seen := map[string]bool{}
	for i, s := range r.Subjects {
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("subject %d has no name", i+1))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("subject %s is listed twice", s.Name))
		}
		seen[s.Name] = true
		if len(s.SHA256) != 64 || !isHex(s.SHA256) {
			errs = append(errs, fmt.Errorf("subject %s: sha256 %q is not 64 lowercase hex digits", s.Name, s.SHA256))
		}
	}
	if r.Source.URI == "" {
		errs = append(errs, errors.New("no source repository URI"))
	}
	if c := r.Source.Commit; (len(c) != 40 && len(c) != 64) || !isHex(c) {
		errs = append(errs, fmt.Errorf("source commit %q is not a full git hash", c))
	}
	if r.BuilderID == "" {
		errs = append(errs, errors.New("no builder id"))
	}
	for i, b := range r.Internal.Builds {
		if b.Binary == "" || b.Platform == "" || len(b.Args) == 0 {
			errs = append(errs, fmt.Errorf("build %d needs its binary, platform and arguments", i+1))
		}
	}
	if r.External.Version == "" {
		errs = append(errs, errors.New("no release version"))
	}
	if !r.StartedOn.IsZero() && !r.FinishedOn.IsZero() && r.FinishedOn.Before(r.StartedOn) {
		errs = append(errs, fmt.Errorf("finished %s before it started %s", timestamp(r.FinishedOn), timestamp(r.StartedOn)))
	}
	return errs
}

// versions is runDetails.builder.version: kiln's and Go's.
func versions(r Release) map[string]string {
	v := map[string]string{}
	if r.KilnVersion != "" {
		v["kiln"] = r.KilnVersion
	}
	if r.Internal.GoVersion != "" {
		v["go"] = r.Internal.GoVersion
	}
	return v
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// canonical writes v as indented JSON with every object's keys sorted:
// encoding/json sorts map keys, so v goes through a generic value.
func canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return buf.Bytes(), nil
}
