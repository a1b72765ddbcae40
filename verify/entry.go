package verify

import (
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/pack/universal"
)

// A kiln manifest (package artifact) is a claim: before a stage acts on a
// binary entry, Entry (UniversalEntry, JoinedEntry for a universal binary)
// checks it against its file, and Passed against the verify result it
// records.

// Entry checks a binary entry of the kiln manifest of the output directory
// out against its file: the path is confined to out, the file is regular
// and has the recorded sha256 and size, and it is what the entry claims
// (Check with the entry's platform, static, cgo and tags, then whatever
// extra adds when it is not nil; the build info's main package). It
// returns the file, symlinks resolved, and its Report, nil when the file
// could not be inspected. Every problem is reported, on one line joined
// by "; " (a *multierror.Error).
func Entry(out string, a artifact.Artifact, extra func(*Expect)) (string, *Report, error) {
	real, rep, errs := readEntry(out, a)
	if rep == nil {
		return real, nil, errs.ErrorOrNil()
	}
	cgo := a.Cgo
	want := Expect{Platform: a.Platform(), Static: a.Static, Cgo: &cgo, Tags: a.Tags}
	if extra != nil {
		extra(&want)
	}
	if err := Check(rep, want); err != nil {
		errs = multierror.Append(errs, err)
	}
	if rep.Main != "" && rep.Main != a.Main {
		errs = multierror.Append(errs, &MismatchError{What: "build info main package", Got: rep.Main, Want: a.Main})
	}
	return real, rep, errlist.Flat(errs)
}

// JoinedEntry is Entry for a universal binary's entry (artifact.Universal):
// its file is checked slice by slice against parts, the entries of the
// builds it joins (CheckJoined).
func JoinedEntry(out string, a artifact.Artifact, parts []artifact.Artifact) (string, *Report, error) {
	real, rep, errs := readEntry(out, a)
	if rep == nil {
		return real, nil, errs.ErrorOrNil()
	}
	if err := CheckJoined(rep, a, parts); err != nil {
		errs = multierror.Append(errs, err)
	}
	return real, rep, errlist.Flat(errs)
}

// UniversalEntry is JoinedEntry for the universal binary entry a of b in
// the manifest m: the builds a joins must be b's current builds there
// (universal.Binary.Joins), and its file is checked against them.
func UniversalEntry(out string, m *artifact.Manifest, b universal.Binary, a artifact.Artifact) (string, *Report, error) {
	parts, why := b.Joins(m, a)
	if why != "" {
		return "", nil, fmt.Errorf("universal binary: %s (run mage crossall)", why)
	}
	return JoinedEntry(out, a, parts)
}

// readEntry reads the file of a binary entry, confined to out, checks its
// sha256 and inspects it; the report is nil when the file could not be
// inspected.
func readEntry(out string, a artifact.Artifact) (string, *Report, *multierror.Error) {
	real, err := safefile.Within(out, a.Path)
	if err != nil {
		return "", nil, multierror.Append(nil, fmt.Errorf("missing or refused (run crossall again): %w", err))
	}
	got, err := artifact.Describe(out, a)
	if err != nil {
		return "", nil, multierror.Append(nil, fmt.Errorf("missing or refused (run crossall again): %w", err))
	}
	var errs *multierror.Error
	if got.SHA256 != a.SHA256 || got.Size != a.Size {
		errs = multierror.Append(errs, fmt.Errorf("sha256 %s does not match the manifest's %s: the file changed after it was built (run crossall again)", got.SHA256, a.SHA256))
	}
	rep, err := ReadFile(real)
	if err != nil {
		return real, nil, multierror.Append(errs, err)
	}
	return real, rep, errs
}

// Passed says why an entry's recorded verify result does not let it ship:
// it has none, or a failed one; nil when it passed.
func Passed(a artifact.Artifact) error {
	switch v := a.Verify; {
	case v == nil:
		return fmt.Errorf("not verified (run mage verify)")
	case !v.OK:
		return fmt.Errorf("failed verify: %s (fix it, rebuild and verify again)", strings.Join(v.Problems, "; "))
	}
	return nil
}
