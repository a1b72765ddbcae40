package targets

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"
	"golang.org/x/sync/errgroup"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/archive"
	"github.com/kiln-build/kiln/pack/checksum"
	"github.com/kiln-build/kiln/pack/oci"
)

// dosEpoch is the time stamped on packages of a tree with neither git nor
// SOURCE_DATE_EPOCH: the earliest time a zip file can hold.
var dosEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Package turns the matrix's binaries into reproducible archives, a checksums file, a systemd unit, deb/rpm/apk and an OCI image.
func Package(ctx context.Context) error {
	p, ps, err := resolveMatrix(ctx, "")
	if err != nil {
		return err
	}
	m, err := artifact.Load(p.out)
	if err != nil {
		return err
	}
	bins, err := binariesFor(p.out, m, ps)
	if err != nil {
		return err
	}
	// Name packages after the version the binaries were built with.
	if m.Version != "" {
		p.info.Version, p.info.Commit = m.Version, m.Commit
	}
	pk := &packager{p: p, m: m, bins: bins, mod: p.info.Time}
	if pk.mod.IsZero() {
		pk.mod = dosEpoch
	}
	if err := pk.run(ctx, bins); err != nil {
		return err
	}
	fmt.Printf("package: %d artifact(s) in %s in %.2fs\n", len(pk.made), p.out, time.Since(p.start).Seconds())
	return nil
}

// binariesFor returns the manifest's binary for each platform; every
// missing one is reported.
func binariesFor(out string, m *artifact.Manifest, ps []matrix.Platform) ([]artifact.Artifact, error) {
	var bins []artifact.Artifact
	var missing, failed []string
	for _, pl := range ps {
		found := false
		for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
			if a.Platform() == pl {
				if got, err := artifact.Describe(out, a); err == nil {
					found = true
					if got.SHA256 != a.SHA256 {
						failed = append(failed, fmt.Sprintf("%s (changed since it was built: sha256 %s, manifest %s)", pl, got.SHA256, a.SHA256))
					}
					bins = append(bins, a)
				}
				if v := a.Verify; v != nil && !v.OK {
					failed = append(failed, fmt.Sprintf("%s (%s)", pl, strings.Join(v.Problems, "; ")))
				}
				break
			}
		}
		if !found {
			missing = append(missing, pl.String())
		}
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("no binary in %s for %s: run mage crossall (or mage cross %s) first",
			out, strings.Join(missing, ", "), strings.Join(missing, ",")))
	}
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("refusing to package binaries that failed mage verify or changed since the build: %s; rebuild and verify them again",
			strings.Join(failed, ", ")))
	}
	return bins, errors.Join(errs...)
}

type packager struct {
	p    *project
	m    *artifact.Manifest
	bins []artifact.Artifact // the binaries packaged
	mod  time.Time

	mu   sync.Mutex
	made []artifact.Artifact
}

// add records a file written under the output directory.
func (pk *packager) add(path string, kind artifact.Kind, pl matrix.Platform) error {
	rel, err := filepath.Rel(pk.p.out, path)
	if err != nil {
		return err
	}
	a, err := artifact.Describe(pk.p.out, artifact.Artifact{Path: filepath.ToSlash(rel), Kind: kind, Name: pk.p.name,
		OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant})
	if err != nil {
		return err
	}
	pk.mu.Lock()
	defer pk.mu.Unlock()
	pk.made = append(pk.made, a)
	where := pl.String()
	if pl.OS == "" {
		where = "-"
	}
	fmt.Printf("  %-12s %-20s %8.1f MB  %s\n", kind, where, float64(a.Size)/1e6, a.Path)
	return nil
}

func (pk *packager) run(ctx context.Context, bins []artifact.Artifact) error {
	p, cfg := pk.p, Config.Package
	extras := archive.DefaultExtras(p.dir)
	if len(cfg.Extras) > 0 {
		more, err := archive.Extras(p.dir, cfg.Extras)
		if err != nil {
			return fmt.Errorf("Config.Package.Extras: %w", err)
		}
		extras = append(extras, more...)
	}
	var unit []byte
	if svc := cfg.Service; svc != nil {
		u := *svc
		if u.Name == "" {
			u.Name = p.name
		}
		if u.ExecStart == "" {
			u.ExecStart = "/usr/bin/" + p.name
		}
		if u.Description == "" {
			u.Description = cfg.Description
		}
		var err error
		if unit, err = u.Render(); err != nil {
			return fmt.Errorf("Config.Package.Service: %w", err)
		}
		path := filepath.Join(p.out, u.FileName())
		if err := atomicfile.WriteFile(path, unit, 0o644); err != nil {
			return err
		}
		if err := pk.add(path, artifact.SystemdUnit, matrix.Platform{}); err != nil {
			return err
		}
	}

	var errs *multierror.Error
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		errs = multierror.Append(errs, err)
		mu.Unlock()
	}
	var g errgroup.Group
	g.SetLimit(p.jobs)
	for _, b := range bins {
		pl, src := b.Platform(), filepath.Join(p.out, filepath.FromSlash(b.Path))
		g.Go(func() error {
			dst := filepath.Join(p.out, archive.Name(p.name, p.info.Version, pl)+archive.Ext(pl))
			files := append([]archive.File{{Src: src, Name: p.name + pl.Exe(), Mode: 0o755}}, extras...)
			if err := archive.Write(ctx, dst, files, archive.Options{ModTime: pk.mod}); err != nil {
				fail(fmt.Errorf("archive %s: %w", pl, err))
			} else if err := pk.add(dst, artifact.Archive, pl); err != nil {
				fail(err)
			}
			return nil
		})
		if cfg.OSPackages != nil && pl.OS == "linux" {
			g.Go(func() error {
				pkgs, err := cfg.OSPackages.PackageOS(ctx, OSPackageRequest{Name: p.name, Version: p.info.Version,
					Platform: pl.String(), Binary: src, Unit: unit, ModTime: pk.mod, OutDir: p.out,
					Description: cfg.Description, Homepage: cfg.Homepage, License: cfg.License,
					Maintainer: cfg.Maintainer, Vendor: cfg.Vendor})
				if err != nil {
					fail(fmt.Errorf("os packages %s: %w", pl, err))
				}
				for _, pkg := range pkgs {
					if err := pk.add(pkg.Path, artifact.Kind(pkg.Format), pl); err != nil {
						fail(err)
					}
				}
				return nil
			})
		}
	}
	if !cfg.NoImage {
		g.Go(func() error {
			if err := pk.image(ctx, bins); err != nil {
				fail(err)
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := errs.ErrorOrNil(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return pk.finish()
}

// image writes the OCI image of the linux binaries and the Dockerfile.
func (pk *packager) image(ctx context.Context, bins []artifact.Artifact) error {
	p, cfg := pk.p, Config.Package
	o := oci.Options{Name: p.name, Version: strings.TrimPrefix(p.info.Version, "v"), Revision: p.info.Commit,
		Description: cfg.Description, URL: cfg.Homepage, Licenses: cfg.License, Labels: cfg.Image.Labels,
		Created: pk.mod, CACerts: cfg.Image.CACerts, Cmd: cfg.Image.Cmd, Env: cfg.Image.Env,
		ExposedPorts: cfg.Image.ExposedPorts}
	o.Ref = strings.NewReplacer("+", "_").Replace(o.Version)
	for _, b := range bins {
		if b.OS == "linux" {
			o.Binaries = append(o.Binaries, oci.Binary{Platform: b.Platform(), Path: filepath.Join(p.out, filepath.FromSlash(b.Path))})
		}
	}
	if len(o.Binaries) == 0 {
		fmt.Println("  image: no linux binary in the matrix, no OCI image")
		return nil
	}
	dst := filepath.Join(p.out, p.name+"_"+o.Version+"_oci.tar")
	if _, err := oci.Build(ctx, dst, o); err != nil {
		return fmt.Errorf("oci image: %w", err)
	}
	if err := pk.add(dst, artifact.OCIImage, matrix.Platform{}); err != nil {
		return err
	}
	df := filepath.Join(p.out, "Dockerfile")
	if err := atomicfile.WriteFile(df, oci.Dockerfile(o), 0o644); err != nil {
		return err
	}
	return pk.add(df, artifact.Dockerfile, matrix.Platform{})
}

// finish writes the checksums over everything packaged and the binaries,
// and replaces the manifest's packaged entries.
func (pk *packager) finish() error {
	p := pk.p
	names := make([]string, 0, len(pk.made))
	for _, a := range pk.made {
		names = append(names, a.Path)
	}
	for _, a := range pk.bins {
		names = append(names, a.Path)
	}
	slices.Sort(names)
	sums := filepath.Join(p.out, checksum.FileName(p.name, p.info.Version))
	if err := checksum.Write(sums, p.out, names); err != nil {
		return fmt.Errorf("checksums: %w", err)
	}
	if err := pk.add(sums, artifact.Checksums, matrix.Platform{}); err != nil {
		return err
	}
	pk.m.Remove(func(a artifact.Artifact) bool { return a.Kind != artifact.Binary })
	for _, a := range pk.made {
		pk.m.Put(a)
	}
	if err := pk.m.Save(p.out); err != nil {
		return errors.Join(fmt.Errorf("save manifest"), err)
	}
	return nil
}
