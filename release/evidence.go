package release

import (
	"bytes"
	"cmp"
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/evidence/sbom"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/internal/gitinfo"
)

// The package stage's evidence: an SPDX SBOM per shipped binary, staged
// and committed with the archives (so the checksums file lists them), and
// after the checksums file an in-toto provenance statement whose subjects
// are that file's lines. Both are deterministic: the same commit and
// configuration give the same bytes (times are the source date; the
// statement has no start and finish times).

// evidenceOptions are seams of the evidence.
type evidenceOptions struct {
	off    bool   // write neither SBOMs nor provenance (the benchmark's baseline)
	source string // the source repository's URI; "": from git remote origin
}

// evidence is what the provenance needs from the shipped binaries.
type evidence struct {
	bis    []*buildinfo.BuildInfo
	ships  []shipment
	source string
}

// kilnModule is kiln's module path, to find its version in the running
// program's build info.
const kilnModule = "github.com/kiln-build/kiln"

// kilnVersion is the version of kiln that runs: "devel" for a checkout.
func kilnVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := ""
	if bi.Main.Path == kilnModule {
		v = bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == kilnModule {
			v = d.Version
			if d.Replace != nil {
				v = d.Replace.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}

// writeSBOMs stages the SPDX SBOM of every shipped binary, made from its
// build info, and gathers the provenance's facts.
func (pk *packager) writeSBOMs(ctx context.Context, ships []shipment) error {
	p := pk.p
	if p.evidence.off {
		return nil
	}
	pk.ev.ships = ships
	tool := "kiln-" + kilnVersion()
	for _, s := range ships {
		bi, err := readBuildInfo(p.Out, s.a)
		if err != nil {
			return fmt.Errorf("sbom %s: %w", s.a.Path, err)
		}
		pk.ev.bis = append(pk.ev.bis, bi)
		data, err := sbom.SPDX(bi, sbom.FileFacts{Name: s.a.Path, SHA256: s.a.SHA256, Created: p.PackageWith.ModTime,
			Version: p.Version.Semver, Tool: tool})
		if err != nil {
			return fmt.Errorf("sbom %s: %w", s.a.Path, err)
		}
		rel := p.SBOMPath(s.bin, s.pl)
		if err := atomicfile.WriteFile(filepath.Join(pk.stage, rel), data, 0o644); err != nil {
			return err
		}
		if err := pk.addEntry(artifact.Artifact{Path: rel, Kind: artifact.SBOM, Name: s.bin.Name,
			OS: s.pl.OS, Arch: s.pl.Arch, Variant: s.pl.Variant, Key: s.a.Key}); err != nil {
			return err
		}
	}
	if p.Version.Commit != "" && !p.Version.Dirty {
		pk.ev.source = cmp.Or(p.evidence.source, gitinfo.SourceURI(ctx, p.Dir))
	}
	return nil
}

// readBuildInfo reads the build info of a manifest entry's file, confined
// to dir.
func readBuildInfo(dir string, a artifact.Artifact) (*buildinfo.BuildInfo, error) {
	f, err := artifact.Open(dir, a)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return buildinfo.Read(f)
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
	sums, err := os.ReadFile(filepath.Join(p.Out, p.ChecksumsPath()))
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	subjects, err := provenance.SubjectsFromChecksums(sums)
	if err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	kv := kilnVersion()
	data, err := provenance.Statement(provenance.Release{
		Subjects:    subjects,
		External:    pk.external(),
		Internal:    pk.internal(),
		Source:      provenance.Source{URI: pk.ev.source, Commit: p.Version.Commit},
		Modules:     provenance.ModulesFromBuildInfo(pk.ev.bis...),
		BuilderID:   "https://github.com/kiln-build/kiln@" + kv,
		KilnVersion: kv,
	})
	if err != nil {
		return nil, err
	}
	rel := p.ProvenancePath()
	dst := filepath.Join(p.Out, rel)
	if err := atomicfile.WriteFile(dst, data, 0o644); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	a, err := artifact.Describe(p.Out, artifact.Artifact{Path: rel, Kind: artifact.Provenance, Name: p.Project})
	if err != nil {
		os.Remove(dst)
		return nil, err
	}
	p.rep.File(a)
	return &a, nil
}

// external are the parameters the user controls: version, matrix and
// binaries.
func (pk *packager) external() provenance.External {
	p := pk.p
	e := provenance.External{Version: p.Version.Semver, Repository: strings.TrimPrefix(pk.ev.source, "git+")}
	for _, pl := range p.Platforms {
		e.Matrix = append(e.Matrix, pl.String())
	}
	for _, b := range p.Binaries {
		pb := provenance.Binary{Name: b.Name, Main: b.ImportPath, Tags: b.Tags}
		if len(b.Platforms) != len(p.Platforms) {
			var pls []string
			for _, pl := range b.Platforms {
				pls = append(pls, pl.String())
			}
			pb.Platforms = strings.Join(pls, ",")
		}
		for _, s := range pk.ev.ships {
			pb.Cgo = pb.Cgo || s.bin.Name == b.Name && s.a.Cgo
		}
		e.Binaries = append(e.Binaries, pb)
	}
	return e
}

// provenanceEnv are the variables of the build environment that change
// what go build writes and are recorded (never paths, proxies or
// credentials).
var provenanceEnv = []string{"GOFLAGS", "GOEXPERIMENT", "GOTOOLCHAIN", "CGO_CFLAGS", "CGO_CPPFLAGS",
	"CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS", "CXX"}

// internal are the parameters kiln set: Go version, flags, the
// environment that reached go build, and the C compilers.
func (pk *packager) internal() provenance.Internal {
	p := pk.p
	in := provenance.Internal{Env: map[string]string{}, CToolchains: map[string]string{}}
	var gos []string
	for _, bi := range pk.ev.bis {
		if !slices.Contains(gos, bi.GoVersion) {
			gos = append(gos, bi.GoVersion)
		}
	}
	in.GoVersion = strings.Join(gos, ", ")
	ld := []string{"-s", "-w"}
	vars := []struct{ name, def, value string }{
		{p.StampVars.Version, "main.version", p.Version.Semver},
		{p.StampVars.Commit, "main.commit", p.Version.Commit},
		{p.StampVars.Date, "main.date", ""},
	}
	if !p.Version.Date.IsZero() {
		vars[2].value = p.Version.Date.UTC().Format(time.RFC3339)
	}
	for _, v := range vars {
		if name := cmp.Or(v.name, v.def); name != "-" {
			ld = append(ld, "-X", name+"="+v.value)
		}
	}
	in.Flags = []string{"-trimpath", "-buildvcs=false", "-ldflags=" + strings.Join(ld, " ")}
	env := p.opts.buildEnv
	if env == nil {
		env = os.Environ()
	}
	for _, kv := range env {
		if k, v, _ := strings.Cut(kv, "="); slices.Contains(provenanceEnv, k) && v != "" {
			in.Env[k] = v
		}
	}
	for _, b := range p.Binaries {
		if len(b.LDFlags) > 0 {
			in.Flags = append(in.Flags, b.Name+": -ldflags="+strings.Join(b.LDFlags, " "))
		}
		for _, kv := range b.Env {
			if k, v, _ := strings.Cut(kv, "="); slices.Contains(provenanceEnv, k) || k == "CC" || strings.HasPrefix(k, "GO") {
				in.Env[b.Name+":"+k] = v
			}
		}
	}
	for _, s := range pk.ev.ships {
		if !s.a.Cgo || s.a.CC == "" {
			continue
		}
		key := s.pl.String()
		if have := in.CToolchains[key]; have != "" && have != s.a.CC {
			in.CToolchains[key] = have + ", " + s.bin.Name + ": " + s.a.CC
		} else if have == "" {
			in.CToolchains[key] = s.a.CC
		}
	}
	return in
}

// checkSBOM checks the SBOM the manifest records for a binary entry (same
// name and platform) against the binary: its sha256 and its module list
// (sbom.Check). It returns a note instead when there is nothing to check:
// no SBOM, or one of an earlier build of the binary (another engine key),
// which the next package replaces.
func (p *Plan) checkSBOM(m *artifact.Manifest, bin artifact.Artifact) (note string, err error) {
	var doc *artifact.Artifact
	for _, a := range m.Filter(artifact.ByKind(artifact.SBOM)) {
		if a.Name == bin.Name && a.Platform() == bin.Platform() {
			doc = &a
		}
	}
	switch {
	case doc == nil:
		return "", nil
	case doc.Key != bin.Key:
		return fmt.Sprintf("sbom %s describes an earlier build of %s: not checked (mage package writes it again)", doc.Path, bin.Path), nil
	}
	fail := func(err error) (string, error) {
		return "", fmt.Errorf("sbom %s: %w (mage package writes it again)", doc.Path, err)
	}
	f, err := artifact.Open(p.Out, *doc)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSBOM+1))
	switch {
	case err != nil:
		return fail(err)
	case len(data) > maxSBOM:
		return fail(fmt.Errorf("larger than %d bytes", maxSBOM))
	}
	if sum, size, _ := artifact.Hash(bytes.NewReader(data)); sum != doc.SHA256 || size != doc.Size {
		return fail(fmt.Errorf("sha256 %s does not match the manifest's %s: it changed after package", sum, doc.SHA256))
	}
	bi, err := readBuildInfo(p.Out, bin)
	if err != nil {
		return fail(fmt.Errorf("binary %s: %w", bin.Path, err))
	}
	if err := sbom.Check(data, bin.SHA256, bi); err != nil {
		return fail(fmt.Errorf("does not describe %s: %w", bin.Path, err))
	}
	return "", nil
}

// maxSBOM bounds the SBOM verify reads.
const maxSBOM = 64 << 20
