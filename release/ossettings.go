package release

import (
	"cmp"
	"fmt"
	"path/filepath"
	"strings"
)

// readOSInputs applies the environment overrides of the macOS and Windows
// settings to s (KILN_UNIVERSAL, KILN_WINE, KILN_WINEPREFIX) and
// normalizes them: Universal "" (off), "beside" or "alone"; Verify.Windows
// "auto", "run" or "off". It returns one line per bad value.
func readOSInputs(s *Settings, env func(string) string) []string {
	var errs []string
	switch v := strings.ToLower(cmp.Or(env("KILN_UNIVERSAL"), strings.TrimSpace(s.Universal))); v {
	case "", "off":
		s.Universal = ""
	case "beside", "alone":
		s.Universal = v
	default:
		errs = append(errs, fmt.Sprintf("KILN_UNIVERSAL/Config.Universal %q: want off (default), beside (the universal macOS archive ships beside the per-arch ones) or alone (it replaces them)", v))
	}
	switch v := strings.ToLower(cmp.Or(env("KILN_WINE"), strings.TrimSpace(s.Verify.Windows))); v {
	case "", "auto":
		s.Verify.Windows = "auto"
	case "run", "off":
		s.Verify.Windows = v
	default:
		errs = append(errs, fmt.Sprintf("KILN_WINE/Config.Verify.Windows %q: want auto (default: run windows/amd64 binaries under wine when it is installed), run (required: fail when wine did not run them) or off", v))
	}
	if v := cmp.Or(env("KILN_WINEPREFIX"), s.Verify.WinePrefix); v != "" {
		if !filepath.IsAbs(v) {
			errs = append(errs, fmt.Sprintf("KILN_WINEPREFIX/Config.Verify.WinePrefix %q: want an absolute directory (kiln creates it)", v))
		}
		s.Verify.WinePrefix = filepath.Clean(v)
	}
	return errs
}
