// Package ospackage is the contract between kiln's package stage and the
// OS packager (deb, rpm, apk) a magefile opts in to, such as
// targets/ospkg's: what one platform's request holds and what comes back.
//
// It holds the types and Build, the call the package stage makes, and no
// packaging library, so that the package stage names them without
// compiling one.
package ospackage

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/go-multierror"
)

// Packager builds OS packages (deb, rpm, apk) of one platform's linux
// binaries. Get one from github.com/kiln-build/kiln/targets/ospkg.
type Packager interface {
	PackageOS(ctx context.Context, req Request) ([]Package, error)
	// CheckNames returns the rules the project's and the binaries' names
	// break for the packages: Resolve asks before anything is built.
	CheckNames(name string, binaries []string) error
}

// Request is one platform's binaries to package.
type Request struct {
	Name, Version                                      string
	Platform                                           string // os/arch[/variant]
	Binaries                                           []Binary
	Unit                                               []byte // systemd unit, if the program is a service
	ModTime                                            time.Time
	OutDir                                             string
	Description, Homepage, License, Maintainer, Vendor string
}

// Binary is one program installed by an OS package as /usr/bin/<Name>.
type Binary struct {
	Name string
	Path string
}

// Package is one package file written.
type Package struct {
	Format string // deb, rpm or apk
	Path   string
}

// Build asks p for the packages of req and passes each package written
// to add (the package stage records it), those p wrote before it failed
// too. It returns every failure: p's, named "os packages <platform>: ",
// and each of add's.
func Build(ctx context.Context, p Packager, req Request, add func(Package) error) error {
	var errs *multierror.Error
	pkgs, err := p.PackageOS(ctx, req)
	if err != nil {
		errs = multierror.Append(errs, fmt.Errorf("os packages %s: %w", req.Platform, err))
	}
	for _, pkg := range pkgs {
		if err := add(pkg); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	return errs.ErrorOrNil()
}
