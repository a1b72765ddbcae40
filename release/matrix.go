package release

import (
	"context"
	"strings"
)

// PrintMatrix lists the binaries and the platforms of the plan, with the
// toolchain's facts about each platform.
func (p *Plan) PrintMatrix(ctx context.Context) error {
	u, err := p.loadUniverse(ctx)
	if err != nil {
		return err
	}
	for _, n := range p.notes {
		p.rep.Printf("note: %s\n", n)
	}
	p.rep.Printf("%s %s: %d platform(s), output in %s\n", p.Project, p.Version.Semver, len(p.Platforms), p.OutDir().Name())
	for _, b := range p.Binaries {
		p.rep.Printf("  binary %-14s main package %s (%d platforms)\n", b.Name, b.ImportPath, len(b.Platforms))
		p.rep.Printf("    version: %s\n", b.Stamped)
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
			p.rep.Printf("    cgo %s on %s\n", d, strings.Join(on[d], ", "))
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
		p.rep.Printf("  %-22s %s\n", pl, strings.Join(notes, ", "))
	}
	return nil
}
