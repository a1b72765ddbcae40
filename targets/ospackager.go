package targets

import (
	"context"
	"time"
)

// OSPackager builds OS packages (deb, rpm, apk) of one linux binary. Get
// one from github.com/kiln-build/kiln/targets/ospkg.
type OSPackager interface {
	PackageOS(ctx context.Context, req OSPackageRequest) ([]OSPackage, error)
}

// OSPackageRequest is one linux binary to package.
type OSPackageRequest struct {
	Name, Version                                      string
	Platform                                           string // os/arch[/variant]
	Binary                                             string // path of the binary
	Unit                                               []byte // systemd unit, if the program is a service
	ModTime                                            time.Time
	OutDir                                             string
	Description, Homepage, License, Maintainer, Vendor string
}

// OSPackage is one package file written.
type OSPackage struct {
	Format string // deb, rpm or apk
	Path   string
}
