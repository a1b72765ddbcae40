package release

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/assemble"
	"github.com/kiln-build/kiln/evidence/sigbundle"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/outdir"
	"github.com/kiln-build/kiln/pack/archive"
	"github.com/kiln-build/kiln/pack/oci"
	"github.com/kiln-build/kiln/pack/ospackage"
	"github.com/kiln-build/kiln/report"
)

// Package turns exactly the plan's verified binaries into a release: an
// archive per platform holding all its binaries, OS packages (opt-in), a
// systemd unit, a multi-arch OCI image with its Dockerfile, and a
// checksums file over everything shipped. Every binary is checked first
// (Plan.shipments); on any refusal or failure nothing of the new release
// is left in the output directory. Packaged files of an earlier release
// that kiln recorded are removed, so the directory never mixes releases.
func (p *Plan) Package(ctx context.Context) error {
	h, m, err := p.OutDir().AcquireManifest(ctx)
	if err != nil {
		return err
	}
	defer h.Release()
	ships, err := p.shipments(m)
	if err != nil {
		return err
	}
	if ships, err = p.universalShipments(m, ships); err != nil {
		return err
	}
	if len(ships) == 0 {
		return fmt.Errorf("package: the plan has no binary for its platforms")
	}
	signer, err := p.loadSigner() // a bad key fails before anything is packaged
	if err != nil {
		return err
	}
	st, err := h.Staging("stage", p.rep.File)
	if err != nil {
		return fmt.Errorf("package: %w", err)
	}
	defer st.Remove()
	pk := &packager{p: p, h: h, st: st, signer: signer}
	if err := pk.writeSBOMs(ctx, ships); err != nil {
		return err
	}
	if err := pk.run(ctx, ships); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return pk.commit(ctx, m, ships)
}

// packager writes one release into a staging directory inside Out.
type packager struct {
	p      *Plan
	h      *outdir.Held
	st     *outdir.Staging
	signer sigbundle.Signer // nil: not signing (evidence.go)
	// shipped and source are the provenance's facts (evidence.go).
	shipped []assemble.Shipped
	source  assemble.Source
}

// entry is the entry of the project's file rel of a platform.
func (pk *packager) entry(rel string, kind artifact.Kind, pl matrix.Platform) artifact.Artifact {
	return artifact.Artifact{Path: rel, Kind: kind, Name: pk.p.Project, OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant}
}

func (pk *packager) run(ctx context.Context, ships []shipment) error {
	p, cfg := pk.p, pk.p.PackageWith
	extras := archive.DefaultExtras(p.Dir)
	if len(cfg.Extras) > 0 {
		more, err := archive.Extras(p.Dir, cfg.Extras)
		if err != nil {
			return fmt.Errorf("Config.Package.Extras: %w", err)
		}
		extras = append(extras, more...)
	}
	var unit []byte
	if svc := cfg.Service; svc != nil {
		var err error
		if unit, err = svc.Render(); err != nil {
			return fmt.Errorf("Config.Package.Service: %w", err)
		}
		if err := pk.st.Write(pk.entry(svc.FileName(), artifact.SystemdUnit, matrix.Platform{}), unit); err != nil {
			return err
		}
	}

	var g errlist.Group
	g.SetLimit(p.Jobs)
	for _, group := range byPlatform(ships) {
		pl := group[0].pl
		g.Go(func() error {
			files := make([]archive.File, 0, len(group)+len(extras))
			for _, s := range group {
				files = append(files, archive.File{Src: s.real, Name: s.bin.Name + pl.Exe(), Mode: 0o755})
			}
			rel := p.ArchivePath(pl)
			if err := archive.Write(ctx, pk.st.Path(rel), append(files, extras...), archive.Options{ModTime: cfg.ModTime}); err != nil {
				return fmt.Errorf("archive %s: %w", pl, err)
			}
			return pk.st.Add(pk.entry(rel, artifact.Archive, pl))
		})
		if cfg.OSPackages != nil && pl.OS == "linux" {
			g.Go(func() error {
				req := ospackage.Request{Name: p.Project, Version: p.Version.Semver, Platform: pl.String(),
					Unit: unit, ModTime: cfg.ModTime, OutDir: pk.st.Path(""), Description: cfg.Description,
					Homepage: cfg.Homepage, License: cfg.License, Maintainer: cfg.Maintainer, Vendor: cfg.Vendor}
				for _, s := range group {
					req.Binaries = append(req.Binaries, ospackage.Binary{Name: s.bin.Name, Path: s.real})
				}
				return ospackage.Build(ctx, cfg.OSPackages, req, func(pkg ospackage.Package) error {
					return pk.st.Add(pk.entry(filepath.Base(pkg.Path), artifact.Kind(pkg.Format), pl))
				})
			})
		}
	}
	if !cfg.NoImage {
		g.Go(func() error { return pk.image(ctx, ships) })
	}
	return g.Wait()
}

// byPlatform groups shipments by platform, in plan order.
func byPlatform(ships []shipment) [][]shipment {
	var groups [][]shipment
	for _, s := range ships {
		if n := len(groups); n > 0 && groups[n-1][0].pl == s.pl {
			groups[n-1] = append(groups[n-1], s)
			continue
		}
		groups = append(groups, []shipment{s})
	}
	return groups
}

// image writes the OCI image of the linux binaries and its Dockerfile.
func (pk *packager) image(ctx context.Context, ships []shipment) error {
	p, cfg := pk.p, pk.p.PackageWith
	img := cfg.Image
	img.Entrypoint = cfg.Entrypoint // its default applied
	o := img.Apply(oci.Options{Name: p.Project, Version: p.Version.Plain, Revision: p.Version.Commit, Ref: p.ImageTag(),
		Description: cfg.Description, URL: cfg.Homepage, Licenses: cfg.License, Created: cfg.ModTime, DockerfileName: p.DockerfilePath()})
	for _, s := range ships {
		if s.pl.OS == "linux" {
			o.Binaries = append(o.Binaries, oci.Binary{Platform: s.pl, Path: s.real, Name: s.bin.Name,
				Static: s.a.Verify.Static, DistPath: p.BinaryPath(s.bin, s.pl)})
		}
	}
	if len(o.Binaries) == 0 {
		p.rep.Printf("  image: no linux binary in the matrix, no OCI image\n")
		return nil
	}
	if _, err := oci.Build(ctx, pk.st.Path(p.ImagePath()), o); err != nil {
		return fmt.Errorf("oci image: %w", err)
	}
	if err := pk.st.Add(pk.entry(p.ImagePath(), artifact.OCIImage, matrix.Platform{})); err != nil {
		return err
	}
	return pk.st.Write(pk.entry(p.DockerfilePath(), artifact.Dockerfile, matrix.Platform{}), oci.Dockerfile(o))
}

// commit moves the staged release into Out, writes the checksums over it
// and the shipped binaries, the provenance and the signatures, removes
// the packaged files of earlier releases kiln recorded, and saves the
// manifest, every write through the output directory's Root. A failure
// takes back what it moved.
func (pk *packager) commit(ctx context.Context, m *artifact.Manifest, ships []shipment) error {
	p, st := pk.p, pk.st
	// Every file the commit writes is checked before the first moves.
	last := []string{p.ChecksumsPath()}
	if pk.writesProvenance() {
		last = append(last, p.ProvenancePath())
	}
	if err := st.Commit(last...); err != nil {
		return fmt.Errorf("package: %w", err)
	}
	shipped := make([]string, len(ships))
	for i, s := range ships {
		shipped[i] = s.a.Path
	}
	sums, err := st.Checksums(pk.entry(p.ChecksumsPath(), artifact.Checksums, matrix.Platform{}), shipped)
	if err != nil {
		return err
	}
	undo := func(err error) error {
		st.Undo()
		return err
	}
	evidence := []artifact.Artifact{sums}
	prov, err := pk.writeProvenance()
	if err != nil {
		return undo(err)
	}
	if prov != nil {
		evidence = append(evidence, *prov)
	}
	made := append(st.Entries(), evidence...)
	if pk.signer != nil {
		sigs, err := pk.sign(ctx, evidence)
		if err != nil {
			return undo(err)
		}
		for _, a := range sigs {
			st.Own(a.Path)
		}
		made = append(made, sigs...)
	}
	if err := st.Save(m, made, artifact.Artifact.Built); err != nil {
		return err
	}
	// The steps after package in GitHub Actions (an attestation of the
	// release) read where the checksums file and the provenance are.
	if err := report.OutputFiles(p.rep, p.Out, evidence...); err != nil {
		return fmt.Errorf("package: %w", err)
	}
	p.rep.Packaged(p.Project+" "+p.Version.Semver, made)
	p.rep.Printf("package: %d artifact(s) of %s %s in %s in %.2fs\n", len(made), p.Project, p.Version.Semver,
		p.OutDir().Name(), time.Since(p.Start).Seconds())
	return nil
}
