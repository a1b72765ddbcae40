package sbom

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/evidence/internal/gomod"
)

// module is one dependency as it was compiled into the binary: the path
// the code imports, and the version and sum of what replaced it, if
// anything did.
type module struct {
	Path    string // as required (the dep line)
	Version string // effective: the replacement's when replaced
	Sum     string // effective: the replacement's when replaced
	Replace *debug.Module
	Orig    string // the required version when replaced
}

// modules returns the build info's dependencies as compiled, sorted by
// path (as the go command writes them; hostile input is sorted too). Entries without a path are skipped:
// they name nothing a consumer could look up; a path listed twice (never
// written by the go command) counts once, the first time.
func modules(bi *buildinfo.BuildInfo) []module {
	var out []module
	seen := map[string]bool{}
	for _, d := range bi.Deps {
		if d == nil || d.Path == "" || seen[validUTF8(d.Path)] {
			continue
		}
		seen[validUTF8(d.Path)] = true
		m := module{Path: validUTF8(d.Path), Version: validUTF8(d.Version), Sum: validUTF8(d.Sum)}
		if r := d.Replace; r != nil {
			m.Replace = &debug.Module{Path: validUTF8(r.Path), Version: validUTF8(r.Version), Sum: validUTF8(r.Sum)}
			m.Orig = m.Version
			m.Version, m.Sum = m.Replace.Version, m.Replace.Sum
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(a, b module) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// modulePackage is the SPDX package for one dependency. The name is the
// module path the code imports, so the list reads like `go version -m`;
// version, checksum and purl are those of the module that was compiled (the
// replacement, when there is one), which is what a vulnerability scanner
// must match.
func modulePackage(m module) pkg {
	p := pkg{
		SPDXID:                "SPDXRef-Package-go-module-" + idPart(m.Path+"@"+m.Version),
		Name:                  m.Path,
		VersionInfo:           m.Version,
		DownloadLocation:      noAssertion,
		LicenseConcluded:      noAssertion,
		LicenseDeclared:       noAssertion,
		CopyrightText:         noAssertion,
		PrimaryPackagePurpose: "LIBRARY",
	}
	purlPath := m.Path
	if r := m.Replace; r != nil {
		purlPath = r.Path
		if isLocal(r) {
			// A directory replacement: not a module anyone can fetch.
			purlPath, p.VersionInfo = "", ""
			p.SourceInfo = fmt.Sprintf("replaced: %s %s => directory %s (no version, no checksum)", m.Path, m.Orig, r.Path)
		} else {
			p.SourceInfo = fmt.Sprintf("replaced: %s %s => %s %s", m.Path, m.Orig, r.Path, r.Version)
		}
	}
	if purlPath != "" {
		p.ExternalRefs = append(p.ExternalRefs, externalRef{"PACKAGE-MANAGER", "purl", gomod.PURL(purlPath, m.Version)})
	}
	if m.Sum != "" {
		if hex, ok := gomod.H1Hex(m.Sum); ok {
			p.Checksums = []checksum{{"SHA256", hex}}
		}
		p.Comment = "go.sum: " + m.Sum + " (the SHA256 checksum is this h1 directory hash in hex, as syft writes it; it is not a hash of a file)"
	}
	return p
}

// validUTF8 replaces each byte of s that is not UTF-8 by U+FFFD, as
// encoding/json does when it writes s, so Check compares like with like.
func validUTF8(s string) string { return string([]rune(s)) }

// isLocal reports whether r replaces a module by a directory: the build
// info then records the version "(devel)" and no sum.
func isLocal(r *debug.Module) bool { return gomod.IsDevel(r.Version) }

// stdlibPackage is the Go standard library and runtime compiled into the
// binary, named as syft and osv-scanner name it: pkg:golang/stdlib@1.26.8.
func stdlibPackage(goVersion string) pkg {
	v := goVersion
	// "go1.26.8 X:boringcrypto" carries experiments after a space.
	v, _, _ = strings.Cut(v, " ")
	p := pkg{
		SPDXID:                stdlibID,
		Name:                  "stdlib",
		VersionInfo:           v,
		DownloadLocation:      "https://go.dev/dl/",
		LicenseConcluded:      noAssertion,
		LicenseDeclared:       "BSD-3-Clause",
		CopyrightText:         noAssertion,
		PrimaryPackagePurpose: "LIBRARY",
		Comment:               "the Go toolchain that built the binary: " + goVersion,
	}
	if semver := strings.TrimPrefix(v, "go"); semver != "" && semver != v {
		p.ExternalRefs = []externalRef{
			{"PACKAGE-MANAGER", "purl", gomod.PURL("stdlib", semver)},
			{"SECURITY", "cpe23Type", "cpe:2.3:a:golang:go:" + cpeEscape(semver) + ":-:*:*:*:*:*:*"},
		}
	}
	return p
}

// cpeEscape backslash-escapes what CPE 2.3 formatted strings reserve.
func cpeEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if !(c == '.' || c == '-' || c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// idPart turns s into the characters an SPDX identifier allows
// (A-Z a-z 0-9 . -), followed by a short hash of s so two inputs that
// differ only in replaced characters keep distinct identifiers.
func idPart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			b.WriteByte('-')
		}
	}
	h := sha256.Sum256([]byte(s))
	return b.String() + "-" + hex.EncodeToString(h[:4])
}
