package release

import (
	"cmp"
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/verify"
)

// The manifest is a claim: every entry the stages act on is checked
// against the plan (identity) and against its file (confined path, regular
// file, sha256, build info) first.

// Current reports why a binary entry is not one of this plan's binaries
// ("" when it is): another name, main package, version, commit or place.
func (p *Plan) Current(a artifact.Artifact) string {
	for _, b := range p.Binaries {
		if b.Name != a.Name {
			continue
		}
		switch pl := a.Platform(); {
		case a.Path != p.BinaryPath(b, pl):
			return fmt.Sprintf("filed at %s, not %s", a.Path, p.BinaryPath(b, pl))
		case a.Main != b.ImportPath:
			return fmt.Sprintf("built from %s, not %s", a.Main, b.ImportPath)
		case a.Version != p.Version.Semver:
			return fmt.Sprintf("built at version %s, not %s", orNone(a.Version), p.Version.Semver)
		case a.Commit != p.Version.Commit:
			return fmt.Sprintf("built from commit %s, not %s", orNone(a.Commit), orNone(p.Version.Commit))
		}
		return ""
	}
	return fmt.Sprintf("binary %q is not one of this project's (%s)", a.Name, p.binaryNames())
}

func orNone(s string) string { return cmp.Or(s, "none") }

// shipment is one binary the package stage ships.
type shipment struct {
	bin  Bin
	pl   matrix.Platform
	a    artifact.Artifact
	real string // the file, symlinks resolved, inside Out
}

// shipments returns exactly the plan's binaries for its platforms, each
// checked: present, of this plan's identity, unchanged since it was built,
// verified, and what its build info says. Every problem is reported, each
// with the target that fixes it.
func (p *Plan) shipments(m *artifact.Manifest) ([]shipment, error) {
	if p.Version.Dirty && p.CI && !p.AllowDirty {
		return nil, fmt.Errorf("package: a release in CI is built from a commit, not from a work tree with changes (set KILN_ALLOW_DIRTY=true to package version %s anyway): %w",
			p.Version.Semver, &gitinfo.DirtyError{Changes: p.Version.Changes})
	}
	byPath := map[string]artifact.Artifact{}
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		byPath[a.Path] = a
	}
	var out []shipment
	var errs *multierror.Error
	for _, pl := range p.Platforms {
		for _, b := range p.Binaries {
			if !b.On(pl) {
				continue
			}
			a, ok := byPath[p.BinaryPath(b, pl)]
			if !ok {
				errs = multierror.Append(errs, fmt.Errorf("%s %s: not built (run mage crossall, or mage cross %s)", b.Name, pl, pl))
				continue
			}
			s, err := p.ship(m, b, pl, a)
			if err != nil {
				errs = multierror.Append(errs, err)
				continue
			}
			out = append(out, s)
		}
	}
	return out, refuse(errs)
}

// ship checks the entry a of b's build for pl (a universal binary for
// universal.Platform) before it ships: this plan's, its file what it
// claims (inspectEntry), verified.
func (p *Plan) ship(m *artifact.Manifest, b Bin, pl matrix.Platform, a artifact.Artifact) (shipment, error) {
	where := fmt.Sprintf("%s %s", b.Name, pl)
	if why := p.Current(a); why != "" {
		return shipment{}, fmt.Errorf("%s: %s (run mage crossall)", where, why)
	}
	real, _, err := p.inspectEntry(m, a)
	if err == nil {
		err = verify.Passed(a)
	}
	if err != nil {
		return shipment{}, fmt.Errorf("%s: %w", where, err)
	}
	return shipment{bin: b, pl: pl, a: a, real: real}, nil
}

// refuse lists the package stage's refusals under one heading; nil for
// none.
func refuse(errs *multierror.Error) error {
	if errs == nil {
		return nil
	}
	errs.ErrorFormat = func(es []error) string { return errlist.Listed("package: refusing to package", es) }
	return errs
}

// inspectEntry checks a binary entry against its file (verify.Entry, with
// what kiln patched into a windows binary); a universal one is checked
// slice by slice against the builds it claims to join, this plan's in
// the manifest (verify.UniversalEntry).
func (p *Plan) inspectEntry(m *artifact.Manifest, a artifact.Artifact) (string, *verify.Report, error) {
	if a.Kind != artifact.Universal {
		return verify.Entry(p.Out, a, p.expectWindows)
	}
	return verify.UniversalEntry(p.Out, m, p.universalOf(Bin{Name: a.Name}), a) // filed by its name
}
