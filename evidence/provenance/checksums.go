package provenance

import "github.com/kiln-build/kiln/pack/checksum"

// A Subject is one released file: a line of the release's checksums file
// as checksum.Parse reads it (its name and its sha256 in lowercase hex).
type Subject = checksum.Line

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return s != ""
}
