package verify

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/matrix"
)

// Expect is what an artifact claims to be: the platform it is filed under
// and how it was built.
type Expect struct {
	// Platform is the platform the artifact is filed under.
	Platform matrix.Platform
	// Static requires the binary to be static under its OS's policy.
	Static bool
	// Cgo, when set, must match the build info's CGO_ENABLED.
	Cgo *bool
	// Tags must all appear in the build info's -tags.
	Tags []string
	// VersionInfo, when set, is the release version a PE file's
	// VERSIONINFO must carry (see Report.VersionInfoError).
	VersionInfo string
	// Manifest requires a PE file to carry an application manifest.
	Manifest bool
}

// MismatchError reports one property of a binary that disagrees with what
// it claims to be.
type MismatchError struct {
	// What names the property: "OS", "arch", "build info GOOS", "tags", ...
	What string
	// Got is what the file says; Want is what the claim says.
	Got, Want string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s: file has %s, want %s", e.What, e.Got, e.Want)
}

// Check compares r with want and returns every disagreement, aggregated in
// a *multierror.Error wrapped with the file and platform: the OS and arch
// from the headers against the platform, the build info's GOOS, GOARCH,
// variant, CGO_ENABLED and -tags, (when want.Static) the static policy
// as a *LinkageError, the code signature of darwin/arm64 code as a
// *SignatureError, and for PE files the VERSIONINFO (a *VersionInfoError)
// and manifest when want asks for them. A universal Mach-O must hold a
// slice for the platform's arch; that slice is checked against the claim
// and every slice against the static policy and the signature check.
func Check(r *Report, want Expect) error {
	if r == nil {
		return errors.New("verify: Check of a nil Report")
	}
	var errs *multierror.Error
	one := r
	if r.Format == "macho-universal" {
		one = nil
		var arches []string
		for _, s := range r.Slices {
			arches = append(arches, s.Arch)
			if s.Arch == want.Platform.Arch {
				one = s
			}
		}
		if one == nil {
			errs = multierror.Append(errs, &MismatchError{"arch", "slices " + strings.Join(arches, ", "), want.Platform.Arch})
		}
	}
	if one != nil {
		errs = multierror.Append(errs, checkOne(one, want)...)
	}
	if want.Static {
		if err := r.StaticError(); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if err := r.SignatureError(); err != nil {
		errs = multierror.Append(errs, err)
	}
	if want.VersionInfo != "" {
		if err := r.VersionInfoError(want.VersionInfo); err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	if want.Manifest && r.Format == "pe" && (r.Resources == nil || r.Resources.Manifest == "") {
		errs = multierror.Append(errs, &MismatchError{"application manifest", "none", "present"})
	}
	if errs.ErrorOrNil() == nil {
		return nil
	}
	name := r.Path
	if name == "" {
		name = "binary"
	}
	return fmt.Errorf("%s filed under %s: %w", name, want.Platform, errs)
}

// checkOne checks a thin binary's platform and build info.
func checkOne(r *Report, want Expect) []error {
	p := want.Platform
	var errs []error
	mismatch := func(what, got, want string) {
		errs = append(errs, &MismatchError{what, got, want})
	}
	if !sameOS(r.OS, p.OS) {
		mismatch("OS", r.OS, p.OS)
	}
	if r.Arch != p.Arch {
		mismatch("arch", r.Arch, p.Arch)
	}
	if r.GoVersion == "" {
		mismatch("Go build info", "none", "present")
		return errs
	}
	set := r.Settings
	if got := set["GOOS"]; got != p.OS {
		mismatch("build info GOOS", orNone(got), p.OS)
	}
	if got := set["GOARCH"]; got != p.Arch {
		mismatch("build info GOARCH", orNone(got), p.Arch)
	}
	if env := variantEnv(p.Arch); p.Variant != "" && env != "" && r.Variant != p.Variant {
		mismatch("build info "+env, orNone(r.Variant), p.Variant)
	}
	if r.ARMFloat != "" {
		_, float, _ := strings.Cut(set["GOARM"], ",")
		if float = strings.TrimSuffix(float, "float"); float != "" && float != r.ARMFloat {
			mismatch("ARM float ABI", r.ARMFloat+"-float ELF flags", "GOARM "+set["GOARM"])
		}
	}
	if want.Cgo != nil {
		wantCgo := "0"
		if *want.Cgo {
			wantCgo = "1"
		}
		if got := set["CGO_ENABLED"]; got != wantCgo {
			mismatch("build info CGO_ENABLED", orNone(got), wantCgo)
		}
	}
	tags := strings.Split(set["-tags"], ",")
	for _, t := range want.Tags {
		if !slices.Contains(tags, t) {
			mismatch("build info -tags", orNone(set["-tags"]), "tag "+t)
		}
	}
	return errs
}

// sameOS reports whether an OS seen in the headers fits the claimed GOOS.
// Some GOOS values share a header signature with another.
func sameOS(got, want string) bool {
	switch {
	case got == want:
		return true
	case want == "illumos":
		return got == "solaris"
	case want == "android":
		return got == "linux" // no distinguishing header mark
	case want == "ios":
		return got == "darwin" // thin Go binaries may lack LC_BUILD_VERSION
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
