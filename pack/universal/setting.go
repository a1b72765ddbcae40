package universal

import (
	"cmp"
	"strings"

	"github.com/kiln-build/kiln/internal/setting"
)

// ReadSetting is the universal setting of a release, configured (kiln's
// Config.Universal) with KILN_UNIVERSAL over it, read by r and normalized:
// "" (off, the default), "beside" (the universal macOS archive ships
// beside the per-arch ones) or "alone" (it replaces them), any case. A
// bad value is refused in r.Errs, naming the variable and the field.
func ReadSetting(r *setting.Reader, configured string) string {
	u := strings.ToLower(cmp.Or(r.Env("KILN_UNIVERSAL"), strings.TrimSpace(configured)))
	u = r.OneOf("KILN_UNIVERSAL/Config.Universal", u, "", "off (default), beside (the universal macOS archive ships beside the per-arch ones) or alone (it replaces them)",
		"off", "beside", "alone")
	if u == "off" {
		return ""
	}
	return u
}
