// Package gomod holds what the evidence packages say about Go modules in
// the same way: their package URLs and their go.sum hashes.
package gomod

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// PURL returns pkg:golang/<path>@<version>, each path segment and the
// version percent-encoded as the purl spec asks. An empty version leaves
// out the "@". The standard library is PURL("stdlib", "1.26.8"), the name
// syft, grype and osv-scanner use.
func PURL(path, version string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = pctEncode(s)
	}
	s := "pkg:golang/" + strings.Join(segs, "/")
	if version != "" {
		s += "@" + pctEncode(version)
	}
	return s
}

// pctEncode percent-encodes every byte outside A-Z a-z 0-9 . - _ ~.
func pctEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// H1Hex returns the lowercase hex form of a go.sum "h1:" hash (a base64
// SHA-256 directory hash): the form syft writes as an SPDX SHA256 checksum
// and in-toto as a "dirHash" digest. ok is false for anything else.
func H1Hex(sum string) (hexSum string, ok bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return "", false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != sha256.Size {
		return "", false
	}
	return hex.EncodeToString(raw), true
}

// IsDevel reports whether a build info version names no version: ""
// or the go command's "(devel)" (a main module built from a checkout, a
// module replaced by a directory).
func IsDevel(version string) bool { return version == "" || version == "(devel)" }
