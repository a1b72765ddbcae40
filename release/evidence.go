package release

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"strings"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/assemble"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/safefile"
)

// The package stage's evidence (made by evidence/assemble): an SPDX SBOM
// per shipped binary, staged and committed with the archives (so the
// checksums file lists them), and after the checksums file an in-toto
// provenance statement whose subjects are that file's lines.

// evidenceOptions are seams of the evidence.
type evidenceOptions struct {
	off    bool   // write neither SBOMs nor provenance (the benchmark's baseline)
	source string // the source repository's URI; "": from git remote origin
}

// writeSBOMs stages the SPDX SBOM of every shipped binary, made from its
// build info, and gathers the provenance's facts.
func (pk *packager) writeSBOMs(ctx context.Context, ships []shipment) error {
	p := pk.p
	if p.evidence.off {
		return nil
	}
	for _, s := range ships {
		bi, err := assemble.BuildInfo(p.Out, s.a)
		if err != nil {
			return fmt.Errorf("sbom %s: %w", s.a.Path, err)
		}
		pk.shipped = append(pk.shipped, assemble.Shipped{Binary: s.bin.Name, Platform: s.pl, Entry: s.a, Info: bi})
		data, err := assemble.SBOM(bi, s.a, p.Version.Semver, p.PackageWith.ModTime)
		if err != nil {
			return fmt.Errorf("sbom %s: %w", s.a.Path, err)
		}
		rel := p.SBOMPath(s.bin, s.pl)
		if err := pk.h.Root.WriteFileAtomic(path.Join(pk.staged, rel), data, 0o644); err != nil {
			return err
		}
		if err := pk.addEntry(artifact.Artifact{Path: rel, Kind: artifact.SBOM, Name: s.bin.Name,
			OS: s.pl.OS, Arch: s.pl.Arch, Variant: s.pl.Variant, Key: s.a.Key}); err != nil {
			return err
		}
	}
	if p.Version.Commit != "" && !p.Version.Dirty {
		pk.source = cmp.Or(p.evidence.source, gitinfo.SourceURI(ctx, p.Dir))
		var err error
		if pk.sources, err = gitinfo.ReadSources(ctx, p.Dir, p.in.buildEnv); err != nil {
			return fmt.Errorf("provenance: %w", err)
		}
		prefix, err := gitinfo.Git(ctx, p.Dir, "rev-parse", "--show-prefix")
		if err != nil {
			return fmt.Errorf("provenance: the module's directory in the repository: %w", err)
		}
		pk.moduleDir = cmp.Or(strings.TrimSuffix(strings.TrimSpace(prefix), "/"), ".")
	}
	return nil
}

// noteSources says which sources besides the commit the provenance
// records, and whether the commit alone rebuilds the release.
func (p *Plan) noteSources(s *gitinfo.Sources) {
	if s == nil || s.GoWork == "" && len(s.Local) == 0 {
		return
	}
	var names []string
	if s.GoWork != "" {
		names = append(names, s.GoWork)
	}
	for _, l := range s.Local {
		names = append(names, l.Path+" ("+l.From+" "+l.Module+")")
	}
	what := "the commit holds them"
	if !s.Reproducible() {
		what = "not reproducible from the commit alone"
	}
	p.rep.Printf("  provenance: records the sources besides the commit that reached the build, %s: %s\n", what, strings.Join(names, ", "))
}

// readAll reads the regular file rel of the output directory r.
func readAll(r *safefile.Root, rel string) ([]byte, error) {
	f, _, err := r.Open(rel, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// writesProvenance reports whether the package writes a provenance
// statement: with evidence, for a commit, from a clean tree.
func (pk *packager) writesProvenance() bool {
	p := pk.p
	return !p.evidence.off && p.Version.Commit != "" && !p.Version.Dirty
}

// writeProvenance writes the provenance statement over the checksums file
// just written into Out and returns its entry; nil without a commit (or
// for a dirty tree, whose commit does not describe the sources).
func (pk *packager) writeProvenance() (*artifact.Artifact, error) {
	p := pk.p
	switch {
	case p.evidence.off:
		return nil, nil
	case p.Version.Commit == "":
		p.rep.Printf("  provenance: not written: no git commit to name as the source\n")
		return nil, nil
	case p.Version.Dirty:
		p.rep.Printf("  provenance: not written: the work tree has uncommitted changes, so no commit describes the sources\n")
		return nil, nil
	}
	sums, err := readAll(pk.h.Root, p.ChecksumsPath())
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	r := assemble.Release{Version: p.Version.Semver, Commit: p.Version.Commit, Source: pk.source,
		Module: p.Module, ModuleDir: pk.moduleDir, Static: p.Static, Matrix: p.Platforms, Shipped: pk.shipped, Sources: pk.sources}
	p.noteSources(pk.sources)
	for _, b := range p.Binaries {
		r.Binaries = append(r.Binaries, assemble.Binary{Name: b.Name, Main: b.ImportPath, Tags: b.Tags,
			CgoMode: cgoModeOf(b), Platforms: b.Platforms})
	}
	data, err := assemble.Provenance(sums, r)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	rel := p.ProvenancePath()
	if err := pk.h.Check(rel); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	if err := pk.h.Root.WriteFileAtomic(rel, data, 0o644); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	a, err := artifact.Describe(p.Out, artifact.Artifact{Path: rel, Kind: artifact.Provenance, Name: p.Project})
	if err != nil {
		pk.h.Root.Remove(rel)
		return nil, err
	}
	p.rep.File(a)
	return &a, nil
}

// outputs tells the steps after package in GitHub Actions (an attestation
// of the release) where the checksums file and the provenance are: the
// step outputs checksums and provenance, absolute paths.
func (pk *packager) outputs(sums artifact.Artifact, prov *artifact.Artifact) error {
	p := pk.p
	if err := p.rep.Output("checksums", filepath.Join(p.Out, filepath.FromSlash(sums.Path))); err != nil {
		return fmt.Errorf("package: %w", err)
	}
	if prov == nil {
		return nil
	}
	if err := p.rep.Output("provenance", filepath.Join(p.Out, filepath.FromSlash(prov.Path))); err != nil {
		return fmt.Errorf("package: %w", err)
	}
	return nil
}

// cgoModeOf is a binary's cgo decisions as Binary.Cgo spells them, for the
// provenance: one mode ("auto", "off") when every platform has it, else
// the mode that differs from auto with the platforms it holds on
// ("off:darwin/amd64,darwin/arm64").
func cgoModeOf(b Bin) string {
	modes := map[gobuild.CgoMode][]string{}
	for _, pl := range b.Platforms {
		m := cmp.Or(b.Builds[pl].Cgo, gobuild.CgoAuto)
		modes[m] = append(modes[m], pl.String())
	}
	switch len(modes) {
	case 0:
		return string(gobuild.CgoAuto)
	case 1:
		for m := range modes {
			return string(m)
		}
	}
	for _, m := range []gobuild.CgoMode{gobuild.CgoOff, gobuild.CgoOn} {
		if len(modes) == 2 && len(modes[gobuild.CgoAuto]) > 0 && len(modes[m]) > 0 {
			return string(m) + ":" + strings.Join(modes[m], ",")
		}
	}
	return string(gobuild.CgoAuto)
}
