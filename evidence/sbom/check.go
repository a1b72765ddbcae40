package sbom

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kiln-build/kiln/evidence/internal/gomod"
)

// A MismatchError is one disagreement between an SBOM and the binary it
// claims to describe.
type MismatchError struct {
	// Module is the module path, "stdlib", a foreign package's name, or ""
	// for the binary itself.
	Module string
	// Field names what disagrees: "sha256", "name", "version", "module",
	// "package", "purl", "checksum", "sourceInfo", "main module", "main
	// module version", or "content" for any other difference from the
	// document kiln writes for the binary (Path says where).
	Field string
	// Want is what the binary says, Got what the SBOM says; "" is absent.
	Want, Got string
	// Path is the JSON path of a "content" difference:
	// "packages[3].licenseDeclared".
	Path string
}

func (e *MismatchError) Error() string {
	switch {
	case e.Field == "content":
		return fmt.Sprintf("sbom: %s: SBOM has %s, kiln writes %s for this binary", e.Path, orAbsent(e.Got), orAbsent(e.Want))
	case e.Field == "module" && e.Got == "":
		return fmt.Sprintf("sbom: module %s %s is in the binary but not in the SBOM", e.Module, e.Want)
	case e.Field == "module" && e.Want == "":
		return fmt.Sprintf("sbom: module %s %s is in the SBOM but not in the binary", e.Module, e.Got)
	case e.Field == "package":
		return fmt.Sprintf("sbom: package %s %s is in the SBOM but not in the binary's build info", e.Module, e.Got)
	case e.Module == "":
		return fmt.Sprintf("sbom: binary %s: SBOM has %q, binary has %q", e.Field, e.Got, e.Want)
	}
	return fmt.Sprintf("sbom: module %s: %s: SBOM has %q, binary has %q", e.Module, e.Field, e.Got, e.Want)
}

func orAbsent(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// Expect is what a checker knows about a binary besides its build info.
type Expect struct {
	// SHA256 is the lowercase hex sha256 of the binary's bytes. Required.
	SHA256 string
	// Version is the release version the SBOM was written with
	// (FileFacts.Version). When the build info records no main module
	// version ("(devel)"), the SBOM's must be this one; without it, such a
	// version cannot be checked (only that the SBOM states it consistently).
	Version string
	// Name is the binary's path as shipped (FileFacts.Name); "" leaves the
	// document's name unchecked.
	Name string
}

// Check is CheckWith with only the binary's sha256 known.
func Check(sbomJSON []byte, binarySHA256 string, bi *buildinfo.BuildInfo) error {
	return CheckWith(sbomJSON, bi, Expect{SHA256: binarySHA256})
}

// CheckWith confirms that sbomJSON is the SBOM kiln writes for the binary
// with build info bi and the facts in want. The SBOM's creation time and
// tool are taken from the document (they are not facts of the binary);
// everything else must be what SPDX writes: the described package carries
// the binary's sha256, name and version; the main module and its version,
// the Go standard library version, and exactly the build info's
// dependencies with their versions, purls, checksums and replacements; no
// other package; and then every other byte of meaning (relationships,
// licenses, build settings, unknown fields). The errors are joined with
// errors.Join, each a *MismatchError: first every named disagreement,
// else the first other difference.
func CheckWith(sbomJSON []byte, bi *buildinfo.BuildInfo, want Expect) error {
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
	c := &checker{doc: &doc, bi: bi, byID: map[string]*pkg{}}
	for i := range doc.Packages {
		c.byID[doc.Packages[i].SPDXID] = &doc.Packages[i]
	}
	var described []*pkg
	for _, r := range doc.Relationships {
		if r.Element == docID && r.Type == "DESCRIBES" && c.byID[r.Related] != nil {
			described = append(described, c.byID[r.Related])
		}
	}
	if len(described) != 1 {
		return fmt.Errorf("sbom: check: the document describes %d packages, want exactly the binary", len(described))
	}
	c.bin = described[0]
	facts, err := c.facts(want)
	if err != nil {
		return err
	}
	wantJSON, err := SPDX(bi, facts)
	if err != nil {
		return fmt.Errorf("sbom: check: %w", err)
	}
	c.named(mainVersion(bi, facts), want)
	if len(c.errs) == 0 {
		if d := firstDiff(sbomJSON, wantJSON); d != nil {
			c.errs = append(c.errs, d)
		}
	}
	return errors.Join(c.errs...)
}

type checker struct {
	doc  *document
	bi   *buildinfo.BuildInfo
	byID map[string]*pkg
	bin  *pkg
	errs []error
}

func (c *checker) add(module, field, want, got string) {
	c.errs = append(c.errs, &MismatchError{Module: module, Field: field, Want: want, Got: got})
}

// facts are the FileFacts to write the expected document with: want's,
// and what only the document can say (its creation time and tool, and the
// release version when the checker does not know it).
func (c *checker) facts(want Expect) (FileFacts, error) {
	created, err := time.Parse("2006-01-02T15:04:05Z", c.doc.CreationInfo.Created)
	if err != nil {
		return FileFacts{}, fmt.Errorf("sbom: check: creationInfo.created %q is not a UTC time like 2006-01-02T15:04:05Z", c.doc.CreationInfo.Created)
	}
	tool := "kiln"
	if cr := c.doc.CreationInfo.Creators; len(cr) == 1 && strings.HasPrefix(cr[0], "Tool: ") {
		tool = strings.TrimPrefix(cr[0], "Tool: ")
	}
	f := FileFacts{Name: c.doc.Name, SHA256: strings.ToLower(want.SHA256), Created: created, Version: want.Version, Tool: tool}
	if f.Version == "" && gomod.IsDevel(c.bi.Main.Version) {
		f.Version = c.bin.VersionInfo
		if m := c.byID[mainID]; m != nil {
			f.Version = m.VersionInfo
		}
	}
	if !isSHA256(f.SHA256) {
		return FileFacts{}, fmt.Errorf("sbom: check: the binary's sha256 %q is not 64 hex digits", want.SHA256)
	}
	if f.Name == "" {
		return FileFacts{}, errors.New("sbom: check: the document has no name (the binary's path)")
	}
	return f, nil
}

// named records every disagreement that has a name: identity of the
// binary, main module (wantMain its version), standard library,
// dependencies, foreign packages.
func (c *checker) named(wantMain string, want Expect) {
	bi, bin := c.bi, c.bin
	if got := strings.ToLower(bin.checksum("SHA256")); got != strings.ToLower(want.SHA256) {
		c.add("", "sha256", want.SHA256, got)
	}
	if want.Name != "" && c.doc.Name != want.Name {
		c.add("", "name", want.Name, c.doc.Name)
	}
	if bin.VersionInfo != wantMain {
		c.add("", "version", wantMain, bin.VersionInfo)
	}

	var mainPkg, stdPkg *pkg
	deps := map[string]*pkg{}
	var foreign []*pkg
	for i := range c.doc.Packages {
		p := &c.doc.Packages[i]
		switch {
		case p == bin:
		case p.SPDXID == mainID:
			mainPkg = p
		case p.SPDXID == stdlibID:
			stdPkg = p
		case strings.HasPrefix(p.purl(), "pkg:golang/") || p.PrimaryPackagePurpose == "LIBRARY":
			if deps[p.Name] != nil {
				c.add(p.Name, "module", "", p.VersionInfo+" (listed twice)")
			}
			deps[p.Name] = p
		default:
			foreign = append(foreign, p)
		}
	}
	switch {
	case mainPkg == nil && bi.Main.Path != "" || mainPkg != nil && mainPkg.Name != validUTF8(bi.Main.Path):
		c.add("", "main module", bi.Main.Path, nameOf(mainPkg))
	case mainPkg != nil && mainPkg.VersionInfo != wantMain:
		c.add(mainPkg.Name, "main module version", wantMain, mainPkg.VersionInfo)
	}
	if want := validUTF8(stdlibPackage(bi.GoVersion).VersionInfo); want != "" || stdPkg != nil {
		got := ""
		if stdPkg != nil {
			got = stdPkg.VersionInfo
		}
		if got != want {
			c.add("stdlib", "version", want, got)
		}
	}

	for _, m := range modules(bi) {
		want := modulePackage(m)
		got := deps[m.Path]
		if got == nil {
			c.add(m.Path, "module", m.Version, "")
			continue
		}
		delete(deps, m.Path)
		if got.VersionInfo != want.VersionInfo {
			c.add(m.Path, "version", want.VersionInfo, got.VersionInfo)
		}
		if got.purl() != want.purl() {
			c.add(m.Path, "purl", want.purl(), got.purl())
		}
		if got.checksum("SHA256") != want.checksum("SHA256") {
			c.add(m.Path, "checksum", want.checksum("SHA256"), got.checksum("SHA256"))
		}
		if got.SourceInfo != want.SourceInfo {
			c.add(m.Path, "sourceInfo", want.SourceInfo, got.SourceInfo)
		}
	}
	for _, p := range c.doc.Packages {
		if extra := deps[p.Name]; extra != nil {
			c.add(p.Name, "module", "", extra.VersionInfo)
			delete(deps, p.Name)
		}
	}
	for _, p := range foreign {
		c.add(p.Name, "package", "", strings.TrimSpace(p.VersionInfo+" "+p.purl()))
	}
}

func nameOf(p *pkg) string {
	if p == nil {
		return ""
	}
	return p.Name
}

// firstDiff compares two JSON documents by meaning (objects as key sets,
// arrays in order, numbers exactly) and returns the first difference as a
// "content" *MismatchError, or nil when they are equal.
func firstDiff(got, want []byte) *MismatchError {
	var g, w any
	if err := decode(got, &g); err != nil {
		return &MismatchError{Field: "content", Path: "(document)", Got: "invalid JSON: " + err.Error()}
	}
	if err := decode(want, &w); err != nil {
		return &MismatchError{Field: "content", Path: "(document)", Want: "invalid JSON: " + err.Error()}
	}
	return diff("", g, w)
}

func decode(data []byte, v *any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	return d.Decode(v)
}
