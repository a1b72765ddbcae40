package assemble

import (
	"debug/buildinfo"
	"fmt"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/checksum"
)

// Release is what the provenance states about a release.
type Release struct {
	// Version (semver) and Commit of the release.
	Version, Commit string
	// Source is where its sources are (ReadSource): the repository, the
	// module's directory in it and the sources besides the commit.
	Source Source
	// Module is the module's path.
	Module string
	// Static: every build was asked to be fully static.
	Static bool
	// Matrix are the platforms of the release.
	Matrix []matrix.Platform
	// Binaries are the release's programs as configured.
	Binaries []Binary
	// Shipped are the binaries shipped.
	Shipped []Shipped
}

// Binary is one program of the release as configured.
type Binary struct {
	Name, Main string
	Tags       []string
	// CgoMode is the cgo mode asked for: "auto", "on" or "off".
	CgoMode string
	// Platforms are the platforms of the matrix it is built for.
	Platforms []matrix.Platform
}

// Shipped is one binary shipped: its manifest entry and its build info.
type Shipped struct {
	Binary   string
	Platform matrix.Platform
	Entry    artifact.Artifact
	Info     *buildinfo.BuildInfo
}

// Provenance is the in-toto provenance statement of a release whose
// subjects are the lines of its checksums file.
func Provenance(checksums []byte, r Release) ([]byte, error) {
	subjects, err := checksum.Parse(checksums)
	if err != nil {
		return nil, err
	}
	bis := make([]*buildinfo.BuildInfo, len(r.Shipped))
	for i, s := range r.Shipped {
		bis[i] = s.Info
		if len(s.Entry.Args) == 0 {
			return nil, fmt.Errorf("%s records no go build (built by an older kiln): run mage crossall again", s.Entry.Path)
		}
	}
	kv := KilnVersion()
	return provenance.Statement(provenance.Release{
		Subjects:    subjects,
		External:    r.external(),
		Internal:    r.internal(),
		Source:      provenance.Source{URI: r.Source.URI, Commit: r.Commit},
		Modules:     provenance.ModulesFromBuildInfo(bis...),
		BuilderID:   "https://github.com/kiln-build/kiln@" + kv,
		KilnVersion: kv,
	})
}

// external are the parameters the user controls: version, matrix and
// binaries.
func (r Release) external() provenance.External {
	e := provenance.External{Version: r.Version, Repository: strings.TrimPrefix(r.Source.URI, "git+"),
		Module: r.Module, ModuleDir: r.Source.ModuleDir, Static: r.Static}
	for _, pl := range r.Matrix {
		e.Matrix = append(e.Matrix, pl.String())
	}
	for _, b := range r.Binaries {
		pb := provenance.Binary{Name: b.Name, Main: b.Main, Tags: b.Tags, CgoMode: b.CgoMode}
		if len(b.Platforms) != len(r.Matrix) {
			var pls []string
			for _, pl := range b.Platforms {
				pls = append(pls, pl.String())
			}
			pb.Platforms = strings.Join(pls, ",")
		}
		for _, s := range r.Shipped {
			pb.Cgo = pb.Cgo || s.Binary == b.Name && s.Entry.Cgo
		}
		e.Binaries = append(e.Binaries, pb)
	}
	e.LocalSources = localSources(r.Source.Sources)
	return e
}

// localSources is what the provenance records of the sources besides the
// commit; nil when there are none.
func localSources(s *gitinfo.Sources) *provenance.LocalSources {
	if s == nil || s.GoWork == "" && len(s.Local) == 0 {
		return nil
	}
	ls := &provenance.LocalSources{GoWork: s.GoWork, GoWorkDigest: s.GoWorkDigest, ReproducibleFromCommit: s.Reproducible()}
	for _, l := range s.Local {
		ls.Directories = append(ls.Directories, provenance.LocalDirectory{From: l.From, Module: l.Module, Path: l.Path,
			Digest: l.Digest, InCommit: l.InRepo})
	}
	return ls
}

// internal are the parameters kiln set: the Go version, each go build as
// the engine ran it (its manifest entry records it), and the C compilers.
func (r Release) internal() provenance.Internal {
	in := provenance.Internal{CToolchains: map[string]string{}}
	var gos []string
	for _, s := range r.Shipped {
		if !slices.Contains(gos, s.Info.GoVersion) {
			gos = append(gos, s.Info.GoVersion)
		}
		in.Builds = append(in.Builds, provenance.Build{Binary: s.Binary, Platform: s.Platform.String(), Args: s.Entry.Args, Env: s.Entry.Env})
		if !s.Entry.Cgo || s.Entry.CC == "" {
			continue
		}
		key := s.Platform.String()
		if have := in.CToolchains[key]; have != "" && have != s.Entry.CC {
			in.CToolchains[key] = have + ", " + s.Binary + ": " + s.Entry.CC
		} else if have == "" {
			in.CToolchains[key] = s.Entry.CC
		}
	}
	in.GoVersion = strings.Join(gos, ", ")
	return in
}
