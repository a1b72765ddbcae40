package verify

import (
	"cmp"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiln-build/kiln/internal/setting"
)

// Settings are a project's choices for kiln's verify stage: kiln's
// Config.Verify.
type Settings struct {
	// Args are the smoke-test arguments each linux binary runs with in an
	// empty root. Default: probe --version, -version, --help, -h and pass
	// when the program starts and exits normally.
	Args []string
	// Exit is the expected exit code of the smoke test with Args (default 0).
	Exit int
	// Timeout bounds each smoke run; default 10s (DefaultSmokeTimeout).
	Timeout time.Duration
	// NoRun skips the smoke tests (the static checks still run).
	NoRun bool
	// Windows is the run of windows/amd64 binaries under wine64 (see
	// README, "Windows"): "auto" (default) runs them when wine64 is
	// installed (Toolchains "install" installs it) and says why not
	// otherwise; "run" requires it: a binary wine did not run fails
	// verify, in CI too; "off" never runs them. KILN_WINE overrides it.
	Windows string
	// WinePrefix is the directory of the wine prefix kiln creates once and
	// reuses for those runs (~700 MB); default kiln/wine in the user's
	// cache directory. kiln refuses a directory it did not create.
	// KILN_WINEPREFIX overrides it.
	WinePrefix string
	// RequireVersion fails a binary whose version flag (the --version or
	// -version probe, or Args such as ["version"]) does not print the
	// release version (1.2.3 or v1.2.3), or that has none that exits 0.
	// Default: verify reports the version found per binary and warns.
	RequireVersion bool
}

// Read is s with its environment overrides read by r and normalized:
// Windows "auto", "run" or "off" (KILN_WINE over Windows, any case;
// default "auto"), WinePrefix "" or a clean absolute directory
// (KILN_WINEPREFIX over WinePrefix). A bad value is refused in r.Errs,
// naming the variable and the field.
func (s Settings) Read(r *setting.Reader) Settings {
	wine := strings.ToLower(cmp.Or(r.Env("KILN_WINE"), strings.TrimSpace(s.Windows)))
	s.Windows = r.OneOf("KILN_WINE/Config.Verify.Windows", wine, "auto", "auto (default: run windows/amd64 binaries under wine when it is installed), run (required: fail when wine did not run them) or off",
		"auto", "run", "off")
	if v := cmp.Or(r.Env("KILN_WINEPREFIX"), s.WinePrefix); v != "" {
		r.Check(filepath.IsAbs(v), "KILN_WINEPREFIX/Config.Verify.WinePrefix", v, "an absolute directory (kiln creates it)")
		s.WinePrefix = filepath.Clean(v)
	}
	return s
}
