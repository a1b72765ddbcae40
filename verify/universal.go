package verify

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/matrix"
)

// CheckSlices checks a universal Mach-O that claims to join the builds of
// platforms (darwin/amd64 and darwin/arm64): it must hold exactly one
// slice per platform, and each slice must pass Check against its own
// platform with the rest of want (linkage, cgo, tags, build info, the
// arm64 slice's code signature). Every problem is reported, wrapped with
// the file.
func CheckSlices(r *Report, want Expect, platforms []matrix.Platform) error {
	if r == nil {
		return errors.New("verify: CheckSlices of a nil Report")
	}
	name := r.Path
	if name == "" {
		name = "binary"
	}
	if r.Format != "macho-universal" {
		return fmt.Errorf("%s: %w", name, &MismatchError{"format", r.Format, "a universal Mach-O"})
	}
	var have, claimed []string
	for _, s := range r.Slices {
		have = append(have, s.Arch)
	}
	for _, p := range platforms {
		claimed = append(claimed, p.Arch)
	}
	var errs *multierror.Error
	if a, b := slices.Sorted(slices.Values(have)), slices.Sorted(slices.Values(claimed)); !slices.Equal(a, b) {
		errs = multierror.Append(errs, &MismatchError{"universal slices", strings.Join(a, ", "), strings.Join(b, ", ")})
	}
	for _, p := range platforms {
		w := want
		w.Platform = p
		if err := Check(r, w); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if errs == nil {
		return nil
	}
	return fmt.Errorf("%s: universal binary of %s: %w", name, strings.Join(claimed, ", "), errs)
}

// CheckJoined checks a universal binary, read into r, against its
// manifest entry a and the entries of the builds it joins (parts, one per
// slice): CheckSlices with what the builds claim together (static when
// all are, cgo when they agree) and a's tags, and each slice's build info
// must name a's main package. Every problem is reported, in a
// *multierror.Error.
func CheckJoined(r *Report, a artifact.Artifact, parts []artifact.Artifact) error {
	if r == nil || len(parts) == 0 {
		return errors.New("verify: CheckJoined needs a Report and the builds joined")
	}
	want := Expect{Static: true, Tags: a.Tags, Cgo: &parts[0].Cgo}
	platforms := make([]matrix.Platform, len(parts))
	for i, p := range parts {
		platforms[i] = p.Platform()
		want.Static = want.Static && p.Static
		if p.Cgo != parts[0].Cgo {
			want.Cgo = nil
		}
	}
	var errs *multierror.Error
	if err := CheckSlices(r, want, platforms); err != nil {
		errs = multierror.Append(errs, err)
	}
	for _, s := range r.Slices {
		if s.Main != "" && s.Main != a.Main {
			errs = multierror.Append(errs, &MismatchError{What: s.Arch + " slice's build info main package", Got: s.Main, Want: a.Main})
		}
	}
	return errs.ErrorOrNil()
}
