package linuxpkg

import (
	"regexp"
	"strings"

	"golang.org/x/mod/semver"

	"github.com/kiln-build/kiln/internal/gitinfo"
)

// version is a semantic version split into the parts the package formats
// place differently: 1.2.3-rc.1+meta is core 1.2.3, pre rc.1, build meta.
type version struct {
	core, pre, build string
}

// parseVersion accepts a release version as kiln does everywhere
// (gitinfo.Normalize): a semantic version with or without the leading "v".
func parseVersion(s string) (version, error) {
	v, err := gitinfo.Normalize(s)
	if err != nil {
		return version{}, err
	}
	pre := semver.Prerelease(v)
	return version{
		core:  strings.TrimPrefix(strings.TrimSuffix(semver.Canonical(v), pre), "v"),
		pre:   strings.TrimPrefix(pre, "-"),
		build: strings.TrimPrefix(semver.Build(v), "+"),
	}, nil
}

// deb returns the Debian upstream version: "~" sorts a pre-release before
// its release (1.2.3~rc.1 < 1.2.3), "+" keeps build metadata.
func (v version) deb() string {
	s := v.core
	if v.pre != "" {
		s += "~" + v.pre
	}
	if v.build != "" {
		s += "+" + v.build
	}
	return s
}

// rpmBuild is the build metadata as RPM allows it: no "-" in a version.
func (v version) rpmBuild() string {
	return strings.ReplaceAll(v.build, "-", "_")
}

var (
	apkPre = regexp.MustCompile(`^(alpha|beta|pre|rc)([0-9]*)$`)
	// pseudo matches the pre-release of a Go pseudo-version:
	// [base.]yyyymmddhhmmss-abcdefabcdef.
	pseudo = regexp.MustCompile(`(?:^|\.)([0-9]{14})-[0-9a-f]{12}$`)
)

// apk returns the Alpine version without the -r release: apk allows only
// the suffixes _alpha, _beta, _pre and _rc (each with an optional number)
// before a release, so rc.1 and rc1 become _rc1, and any other
// pre-release (dev, 4-gabc1234, …) becomes _alpha, which sorts before all
// of them and the release. A Go pseudo-version keeps its commit time as
// _git<yyyymmddhhmmss> (apk suffixes take digits only, not the hash), so
// two commits never share a package name. Build metadata has no place in
// an apk version and is dropped.
func (v version) apk() string {
	if v.pre == "" {
		return v.core
	}
	if m := pseudo.FindStringSubmatch(v.pre); m != nil {
		return v.core + "_alpha_git" + m[1]
	}
	ids := strings.Split(v.pre, ".")
	if m := apkPre.FindStringSubmatch(ids[0]); m != nil {
		switch {
		case len(ids) == 1:
			return v.core + "_" + m[1] + m[2]
		case len(ids) == 2 && m[2] == "" && isDigits(ids[1]):
			return v.core + "_" + m[1] + ids[1]
		}
	}
	return v.core + "_alpha"
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
