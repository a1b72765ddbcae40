package release

import (
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/verify"
)

// signatureText is the verify table's cell for a Mach-O file's code
// signature: "ad-hoc signed, 212 pages", "unsigned", per slice for a
// universal file ("amd64 unsigned; arm64 ad-hoc signed, 212 pages").
func signatureText(rep *verify.Report) string {
	switch rep.Format {
	case "macho":
		return sigText(rep.Signature)
	case "macho-universal":
		parts := make([]string, len(rep.Slices))
		for i, s := range rep.Slices {
			parts[i] = s.Arch + " " + sigText(s.Signature)
		}
		return strings.Join(parts, "; ")
	}
	return ""
}

func sigText(cs *verify.CodeSignature) string {
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
