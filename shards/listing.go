package shards

import (
	"context"
	"strings"

	"github.com/kiln-build/kiln/release"
)

// PrintMatrix lists the binaries and the platforms of p, with the
// toolchain's facts about each platform.
func PrintMatrix(ctx context.Context, p *release.Plan) error {
	u, err := p.Universe(ctx)
	if err != nil {
		return err
	}
	rep := p.Reporter()
	for _, n := range p.Notes() {
		rep.Printf("note: %s\n", n)
	}
	rep.Printf("%s %s: %d platform(s), output in %s\n", p.Project, p.Version.Semver, len(p.Platforms), p.OutDir().Name())
	for _, b := range p.Binaries {
		rep.Printf("  binary %-14s main package %s (%d platforms)\n", b.Name, b.ImportPath, len(b.Platforms))
		rep.Printf("    version: %s\n", b.Stamped)
		var decisions []string
		on := map[string][]string{}
		for _, pl := range b.Platforms {
			if d := b.Builds[pl].Decision(); b.Builds[pl].CgoBy != "" {
				if on[d] == nil {
					decisions = append(decisions, d)
				}
				on[d] = append(on[d], pl.String())
			}
		}
		for _, d := range decisions {
			rep.Printf("    cgo %s on %s\n", d, strings.Join(on[d], ", "))
		}
	}
	for _, pl := range p.Platforms {
		in, _ := u.Info(pl)
		var notes []string
		if in.FirstClass {
			notes = append(notes, "first-class port")
		}
		if in.CgoSupported {
			notes = append(notes, "cgo possible")
		}
		rep.Printf("  %-22s %s\n", pl, strings.Join(notes, ", "))
	}
	return nil
}
