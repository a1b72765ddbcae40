package release

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/safefile"
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

// inspect checks a binary entry against its file: the path is confined to
// the output directory, the file is regular and has the recorded sha256,
// and the file is what the entry claims (format, OS, arch, linkage, build
// info's platform, cgo, tags and main package). It returns the resolved
// path and the report for the checks that follow.
func (p *Plan) inspect(a artifact.Artifact) (string, *verify.Report, error) {
	real, rep, errs := p.readEntry(a)
	if rep == nil {
		return real, nil, errs.ErrorOrNil()
	}
	cgo := a.Cgo
	want := verify.Expect{Platform: a.Platform(), Static: a.Static, Cgo: &cgo, Tags: a.Tags}
	p.expectWindows(&want, a)
	if err := verify.Check(rep, want); err != nil {
		errs = multierror.Append(errs, err)
	}
	if rep.Main != "" && rep.Main != a.Main {
		errs = multierror.Append(errs, &verify.MismatchError{What: "build info main package", Got: rep.Main, Want: a.Main})
	}
	return real, rep, errlist.Flat(errs)
}

// readEntry reads the file of a binary entry, confined to the output
// directory, checks its sha256 and inspects it; the report is nil when
// the file could not be inspected.
func (p *Plan) readEntry(a artifact.Artifact) (string, *verify.Report, *multierror.Error) {
	real, err := safefile.Within(p.Out, a.Path)
	if err != nil {
		return "", nil, multierror.Append(nil, fmt.Errorf("missing or refused (run crossall again): %w", err))
	}
	got, err := artifact.Describe(p.Out, a)
	if err != nil {
		return "", nil, multierror.Append(nil, fmt.Errorf("missing or refused (run crossall again): %w", err))
	}
	var errs *multierror.Error
	if got.SHA256 != a.SHA256 || got.Size != a.Size {
		errs = multierror.Append(errs, fmt.Errorf("sha256 %s does not match the manifest's %s: the file changed after it was built (run crossall again)", got.SHA256, a.SHA256))
	}
	rep, err := verify.ReadFile(real)
	if err != nil {
		return real, nil, multierror.Append(errs, err)
	}
	return real, rep, errs
}

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
			where := fmt.Sprintf("%s %s", b.Name, pl)
			a, ok := byPath[p.BinaryPath(b, pl)]
			if !ok {
				errs = multierror.Append(errs, fmt.Errorf("%s: not built (run mage crossall, or mage cross %s)", where, pl))
				continue
			}
			if why := p.Current(a); why != "" {
				errs = multierror.Append(errs, fmt.Errorf("%s: %s (run mage crossall)", where, why))
				continue
			}
			real, _, err := p.inspect(a)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", where, err))
				continue
			}
			if err := verified(a); err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", where, err))
				continue
			}
			out = append(out, shipment{bin: b, pl: pl, a: a, real: real})
		}
	}
	if errs != nil {
		errs.ErrorFormat = func(es []error) string { return errlist.Listed("package: refusing to package", es) }
	}
	return out, errs.ErrorOrNil()
}

// verified says why an entry's verify result does not let it ship.
func verified(a artifact.Artifact) error {
	switch v := a.Verify; {
	case v == nil:
		return fmt.Errorf("not verified (run mage verify)")
	case !v.OK:
		return fmt.Errorf("failed verify: %s (fix it, rebuild and verify again)", strings.Join(v.Problems, "; "))
	}
	return nil
}
