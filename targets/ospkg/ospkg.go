// Package ospkg turns on deb, rpm and apk packages in kiln's package stage.
// It is a separate package because its packaging library (nfpm) adds about
// forty modules to a magefile's build; a magefile that does not import it
// does not pay for it. In your magefile:
//
//	func init() {
//		targets.Config.Package.OSPackages = ospkg.New() // or ospkg.New("deb")
//	}
package ospkg

import (
	"context"

	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/linuxpkg"
	"github.com/kiln-build/kiln/pack/ospackage"
)

// New returns a packager for the given formats ("deb", "rpm", "apk"; none
// means all three).
func New(formats ...string) ospackage.Packager {
	return packager{formats: formats}
}

type packager struct{ formats []string }

func (k packager) CheckNames(name string, binaries []string) error {
	return linuxpkg.CheckNames(name, binaries)
}

func (k packager) PackageOS(ctx context.Context, req ospackage.Request) ([]ospackage.Package, error) {
	p, err := matrix.Parse(req.Platform)
	if err != nil {
		return nil, err
	}
	progs := make([]linuxpkg.Program, len(req.Binaries))
	for i, b := range req.Binaries {
		progs[i] = linuxpkg.Program{Name: b.Name, Path: b.Path}
	}
	res, err := linuxpkg.Build(ctx, linuxpkg.Options{
		Name: req.Name, Version: req.Version, Platform: p, Programs: progs, Unit: req.Unit,
		ModTime: req.ModTime, OutDir: req.OutDir, Formats: k.formats,
		Description: req.Description, Homepage: req.Homepage, License: req.License,
		Maintainer: req.Maintainer, Vendor: req.Vendor,
	})
	out := make([]ospackage.Package, len(res))
	for i, r := range res {
		out[i] = ospackage.Package{Format: r.Format, Path: r.Path}
	}
	return out, err
}
