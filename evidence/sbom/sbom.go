// Package sbom writes and checks the SPDX 2.3 SBOM of one Go binary, made
// from the binary's own build information (debug/buildinfo), not from
// go.mod: it lists exactly the modules that were compiled in.
//
// The document describes one package for the binary (its file name and
// sha256, primaryPackagePurpose APPLICATION, the build settings as
// annotations), which is GENERATED_FROM the main module and DEPENDS_ON the
// Go standard library and every dependency module. Each module package
// carries:
//
//   - name: the module path the code imports (as `go version -m` lists it);
//   - versionInfo and a PACKAGE-MANAGER purl pkg:golang/<path>@<version> of
//     the module that was compiled: for a replaced module, the replacement,
//     with sourceInfo saying what replaced what;
//   - the go.sum "h1:" hash. SPDX has no algorithm for Go's directory hash,
//     so the package comment holds it verbatim (what go.sum and
//     sum.golang.org print) and a SHA256 checksum holds its hex form, as
//     syft writes and reads it (and as in-toto's dirHash/goModuleH1 digest
//     does), so SBOMs from kiln and syft agree.
//
// The standard library is pkg:golang/stdlib@1.26.8, the name syft, grype
// and osv-scanner use, with the toolchain's CPE.
//
// Output is deterministic: the creation time is an input (use the commit
// time) and the document namespace is derived from the binary's sha256.
// The package writes JSON from plain structs and has no dependencies
// beyond the standard library.
package sbom

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/kiln-build/kiln/evidence/internal/gomod"
)

// FileFacts are the facts about a binary that its build info does not
// hold.
type FileFacts struct {
	// Name is the binary's path as shipped, relative to the output
	// directory: "app_linux_amd64/app". It names the document and the
	// binary's package.
	Name string
	// SHA256 is the lowercase hex sha256 of the binary's bytes.
	SHA256 string
	// Created is the document's creation time. Use the commit time, so a
	// rebuild of the same commit writes the same bytes.
	Created time.Time
	// Version is the release version ("v1.2.3"), used for the main module
	// when the build info records none ("(devel)", as when built from a
	// checkout with -buildvcs=false). Optional.
	Version string
	// Tool names the creator in creationInfo, "kiln-v0.4.0"; default
	// "kiln".
	Tool string
}

// NamespaceBase prefixes every documentNamespace; the binary's file name
// and sha256 follow, so the namespace is unique per binary and stable
// across runs.
const NamespaceBase = "https://github.com/kiln-build/kiln/spdx/"

// IDs of the fixed elements.
const (
	docID    = "SPDXRef-DOCUMENT"
	binaryID = "SPDXRef-Package-binary"
	mainID   = "SPDXRef-Package-go-main-module"
	stdlibID = "SPDXRef-Package-go-stdlib"
)

// SPDX returns the SPDX 2.3 JSON document for the binary with build info
// bi and file facts f. Same input, same bytes.
func SPDX(bi *buildinfo.BuildInfo, f FileFacts) ([]byte, error) {
	if bi == nil {
		return nil, errors.New("sbom: no build info")
	}
	if err := f.validate(); err != nil {
		return nil, err
	}
	created := f.Created.UTC().Format("2006-01-02T15:04:05Z")
	tool := f.Tool
	if tool == "" {
		tool = "kiln"
	}
	doc := document{
		SPDXVersion:       "SPDX-2.3",
		DataLicense:       "CC0-1.0",
		SPDXID:            docID,
		Name:              f.Name,
		DocumentNamespace: NamespaceBase + url.PathEscape(f.Name) + "-" + f.SHA256,
		CreationInfo: creationInfo{
			Created:  created,
			Creators: []string{"Tool: " + tool},
		},
		Comment: "Generated from the Go build information embedded in the binary.",
	}

	mainVersion := mainVersion(bi, f)
	bin := pkg{
		SPDXID:                binaryID,
		Name:                  f.Name,
		VersionInfo:           mainVersion,
		PackageFileName:       f.Name,
		DownloadLocation:      noAssertion,
		Checksums:             []checksum{{"SHA256", f.SHA256}},
		LicenseConcluded:      noAssertion,
		LicenseDeclared:       noAssertion,
		CopyrightText:         noAssertion,
		PrimaryPackagePurpose: "APPLICATION",
		BuiltDate:             created,
		Comment:               fmt.Sprintf("Go program %s built by %s", orNone(bi.Path), orNone(bi.GoVersion)),
	}
	for _, s := range bi.Settings {
		bin.Annotations = append(bin.Annotations, annotation{
			Date:      created,
			Type:      "OTHER",
			Annotator: "Tool: " + tool,
			Comment:   "go build setting " + s.Key + "=" + s.Value,
		})
	}
	doc.Packages = append(doc.Packages, bin)
	doc.Relationships = append(doc.Relationships, relationship{docID, "DESCRIBES", binaryID})

	if bi.Main.Path != "" {
		m := pkg{
			SPDXID:                mainID,
			Name:                  bi.Main.Path,
			VersionInfo:           mainVersion,
			DownloadLocation:      noAssertion,
			LicenseConcluded:      noAssertion,
			LicenseDeclared:       noAssertion,
			CopyrightText:         noAssertion,
			PrimaryPackagePurpose: "SOURCE",
			ExternalRefs:          []externalRef{{"PACKAGE-MANAGER", "purl", gomod.PURL(bi.Main.Path, purlVersion(mainVersion))}},
		}
		if mainVersion != bi.Main.Version {
			m.Comment = fmt.Sprintf("version from the release; the build info records %q", bi.Main.Version)
		}
		if hex, ok := gomod.H1Hex(bi.Main.Sum); ok {
			m.Checksums = []checksum{{"SHA256", hex}}
		}
		doc.Packages = append(doc.Packages, m)
		doc.Relationships = append(doc.Relationships, relationship{binaryID, "GENERATED_FROM", mainID})
	}
	if bi.GoVersion != "" {
		std := stdlibPackage(bi.GoVersion)
		doc.Packages = append(doc.Packages, std)
		doc.Relationships = append(doc.Relationships, relationship{binaryID, "DEPENDS_ON", std.SPDXID})
	}
	seen := map[string]int{}
	for _, m := range modules(bi) {
		p := modulePackage(m)
		// Hostile build info may list a module twice: keep IDs unique.
		if n := seen[p.SPDXID]; n > 0 {
			seen[p.SPDXID]++
			p.SPDXID += "-" + strconv.Itoa(n+1)
		} else {
			seen[p.SPDXID] = 1
		}
		doc.Packages = append(doc.Packages, p)
		doc.Relationships = append(doc.Relationships, relationship{binaryID, "DEPENDS_ON", p.SPDXID})
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("sbom: %w", err)
	}
	return buf.Bytes(), nil
}

// mainVersion is the main module's version from the build info, or the
// release version when the build info records none.
func mainVersion(bi *buildinfo.BuildInfo, f FileFacts) string {
	v := bi.Main.Version
	if gomod.IsDevel(v) && f.Version != "" {
		return f.Version
	}
	return v
}

// purlVersion drops the go command's "(devel)", which names no version.
func purlVersion(v string) string {
	if gomod.IsDevel(v) {
		return ""
	}
	return v
}

func (f FileFacts) validate() error {
	var errs []error
	if f.Name == "" {
		errs = append(errs, errors.New("no file name"))
	}
	if !isSHA256(f.SHA256) {
		errs = append(errs, fmt.Errorf("sha256 %q is not 64 lowercase hex digits", f.SHA256))
	}
	if f.Created.IsZero() {
		errs = append(errs, errors.New("no creation time (use the commit time)"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sbom: %w", err)
	}
	return nil
}

func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return true
}

func orNone(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}
