package sbom

import (
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A MismatchError is one disagreement between an SBOM and the binary it
// claims to describe.
type MismatchError struct {
	// Module is the module path, "stdlib", or "" for the binary itself.
	Module string
	// Field names what disagrees: "sha256", "module", "version", "purl",
	// "checksum", "sourceInfo", "main module".
	Field string
	// Want is what the binary says, Got what the SBOM says; "" is absent.
	Want, Got string
}

func (e *MismatchError) Error() string {
	switch {
	case e.Field == "module" && e.Got == "":
		return fmt.Sprintf("sbom: module %s %s is in the binary but not in the SBOM", e.Module, e.Want)
	case e.Field == "module" && e.Want == "":
		return fmt.Sprintf("sbom: module %s %s is in the SBOM but not in the binary", e.Module, e.Got)
	case e.Module == "":
		return fmt.Sprintf("sbom: binary %s: SBOM has %q, binary has %q", e.Field, e.Got, e.Want)
	}
	return fmt.Sprintf("sbom: module %s: %s: SBOM has %q, binary has %q", e.Module, e.Field, e.Got, e.Want)
}

// Check confirms that sbomJSON is the SBOM of the binary whose sha256 is
// binarySHA256 and whose build info is bi: the described package carries
// that sha256, the main module and Go version agree, and the module
// packages are exactly the build info's dependencies with the same
// versions, purls and checksums. Every disagreement is returned, joined
// with errors.Join, each a *MismatchError.
func Check(sbomJSON []byte, binarySHA256 string, bi *buildinfo.BuildInfo) error {
	if bi == nil {
		return errors.New("sbom: check: no build info")
	}
	var doc document
	if err := json.Unmarshal(sbomJSON, &doc); err != nil {
		return fmt.Errorf("sbom: check: not an SPDX JSON document: %w", err)
	}
	if doc.SPDXVersion != "SPDX-2.3" {
		return fmt.Errorf("sbom: check: spdxVersion %q, want SPDX-2.3", doc.SPDXVersion)
	}
	byID := make(map[string]*pkg, len(doc.Packages))
	for i := range doc.Packages {
		byID[doc.Packages[i].SPDXID] = &doc.Packages[i]
	}
	var errs []error
	add := func(module, field, want, got string) {
		errs = append(errs, &MismatchError{module, field, want, got})
	}

	var described []*pkg
	for _, r := range doc.Relationships {
		if r.Element == docID && r.Type == "DESCRIBES" && byID[r.Related] != nil {
			described = append(described, byID[r.Related])
		}
	}
	if len(described) != 1 {
		return fmt.Errorf("sbom: check: the document describes %d packages, want exactly the binary", len(described))
	}
	bin := described[0]
	if got := strings.ToLower(bin.checksum("SHA256")); got != strings.ToLower(binarySHA256) {
		add("", "sha256", binarySHA256, got)
	}

	// Split the Go packages: main module, stdlib, dependencies.
	var mainPkg, stdPkg *pkg
	deps := map[string]*pkg{}
	for i := range doc.Packages {
		p := &doc.Packages[i]
		switch {
		case p == bin:
		case p.SPDXID == mainID:
			mainPkg = p
		case p.SPDXID == stdlibID:
			stdPkg = p
		case strings.HasPrefix(p.purl(), "pkg:golang/") || p.PrimaryPackagePurpose == "LIBRARY":
			if deps[p.Name] != nil {
				add(p.Name, "module", "", p.VersionInfo+" (listed twice)")
			}
			deps[p.Name] = p
		}
	}
	if mainPkg == nil && bi.Main.Path != "" || mainPkg != nil && mainPkg.Name != validUTF8(bi.Main.Path) {
		add("", "main module", bi.Main.Path, nameOf(mainPkg))
	}
	if want := validUTF8(stdlibPackage(bi.GoVersion).VersionInfo); want != "" || stdPkg != nil {
		got := ""
		if stdPkg != nil {
			got = stdPkg.VersionInfo
		}
		if got != want {
			add("stdlib", "version", want, got)
		}
	}

	for _, m := range modules(bi) {
		want := modulePackage(m)
		got := deps[m.Path]
		if got == nil {
			add(m.Path, "module", m.Version, "")
			continue
		}
		delete(deps, m.Path)
		if got.VersionInfo != want.VersionInfo {
			add(m.Path, "version", want.VersionInfo, got.VersionInfo)
		}
		if got.purl() != want.purl() {
			add(m.Path, "purl", want.purl(), got.purl())
		}
		if got.checksum("SHA256") != want.checksum("SHA256") {
			add(m.Path, "checksum", want.checksum("SHA256"), got.checksum("SHA256"))
		}
		if got.SourceInfo != want.SourceInfo {
			add(m.Path, "sourceInfo", want.SourceInfo, got.SourceInfo)
		}
	}
	for _, p := range doc.Packages {
		if extra := deps[p.Name]; extra != nil {
			add(p.Name, "module", "", extra.VersionInfo)
			delete(deps, p.Name)
		}
	}
	return errors.Join(errs...)
}

func nameOf(p *pkg) string {
	if p == nil {
		return ""
	}
	return p.Name
}
