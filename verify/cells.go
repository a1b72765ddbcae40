package verify

import (
	"fmt"
	"strings"
)

// SignatureText is the verify table's cell for a Mach-O file's code
// signature: "ad-hoc signed, 212 pages", "unsigned", per slice for a
// universal file ("amd64 unsigned; arm64 ad-hoc signed, 212 pages"); ""
// for other formats.
func (r *Report) SignatureText() string {
	if r == nil {
		return ""
	}
	switch r.Format {
	case "macho":
		return sigText(r.Signature)
	case "macho-universal":
		parts := make([]string, len(r.Slices))
		for i, s := range r.Slices {
			parts[i] = s.Arch + " " + sigText(s.Signature)
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

func sigText(cs *CodeSignature) string {
	switch {
	case cs == nil:
		return "unsigned"
	case cs.Problem != "":
		return "signature broken"
	case cs.AdHoc:
		return fmt.Sprintf("ad-hoc signed, %d pages", cs.Pages)
	}
	return fmt.Sprintf("signed, %d pages", cs.Pages)
}

// ResourcesText is the verify table's cell for a PE file's resources:
// "VERSIONINFO 1.2.3.0, manifest", "no VERSIONINFO, no manifest"; "" for
// other formats.
func (r *Report) ResourcesText() string {
	if r == nil || r.Format != "pe" {
		return ""
	}
	res := r.Resources
	if res == nil {
		res = &Resources{}
	}
	parts := []string{"no VERSIONINFO"}
	if v := res.Version; v != nil {
		parts[0] = "VERSIONINFO " + v.FileVersion
	}
	if res.Manifest != "" {
		parts = append(parts, "manifest")
	} else {
		parts = append(parts, "no manifest")
	}
	if res.Problem != "" {
		parts = append(parts, "damaged")
	}
	return strings.Join(parts, ", ")
}
