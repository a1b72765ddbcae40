package verify

import (
	"reflect"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/setting"
)

// TestSettingsRead: KILN_WINE and KILN_WINEPREFIX override the configured
// values, normalized; a bad value is refused naming the variable and the
// field, and the other settings are left as they are.
func TestSettingsRead(t *testing.T) {
	base := Settings{Args: []string{"version"}, Timeout: time.Second, WinePrefix: "/var/wine/../wine"}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		windows string
		want    Settings
		errs    []string
	}{
		{"defaults", nil, "", Settings{Args: []string{"version"}, Timeout: time.Second, Windows: "auto", WinePrefix: "/var/wine"}, nil},
		{"configured, any case", nil, " Run ", Settings{Args: []string{"version"}, Timeout: time.Second, Windows: "run", WinePrefix: "/var/wine"}, nil},
		{"the environment wins", map[string]string{"KILN_WINE": "OFF", "KILN_WINEPREFIX": "/tmp/p/"}, "run",
			Settings{Args: []string{"version"}, Timeout: time.Second, Windows: "off", WinePrefix: "/tmp/p"}, nil},
		{"bad values", map[string]string{"KILN_WINE": "sometimes", "KILN_WINEPREFIX": "wine"}, "",
			Settings{Args: []string{"version"}, Timeout: time.Second, Windows: "sometimes", WinePrefix: "wine"},
			[]string{`KILN_WINE/Config.Verify.Windows "sometimes": want auto (default: run windows/amd64 binaries under wine when it is installed), run (required: fail when wine did not run them) or off`,
				`KILN_WINEPREFIX/Config.Verify.WinePrefix "wine": want an absolute directory (kiln creates it)`}},
	} {
		r := &setting.Reader{Getenv: func(k string) string { return tc.env[k] }}
		s := base
		s.Windows = tc.windows
		got := s.Read(r)
		if !reflect.DeepEqual(got, tc.want) || !reflect.DeepEqual(r.Errs, tc.errs) {
			t.Errorf("%s: Read = %+v, %q; want %+v, %q", tc.name, got, r.Errs, tc.want, tc.errs)
		}
	}
}
