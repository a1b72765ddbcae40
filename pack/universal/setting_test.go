package universal

import (
	"reflect"
	"testing"

	"github.com/kiln-build/kiln/internal/setting"
)

// TestReadSetting: KILN_UNIVERSAL overrides the configured value, any
// case, "off" is ""; a bad value is refused naming the variable and the
// field.
func TestReadSetting(t *testing.T) {
	for _, tc := range []struct {
		env, configured, want string
		errs                  []string
	}{
		{"", "", "", nil},
		{"", " Beside ", "beside", nil},
		{"", "off", "", nil},
		{"ALONE", "beside", "alone", nil},
		{"off", "alone", "", nil},
		{"both", "", "both", []string{`KILN_UNIVERSAL/Config.Universal "both": want off (default), beside (the universal macOS archive ships beside the per-arch ones) or alone (it replaces them)`}},
	} {
		r := &setting.Reader{Getenv: func(k string) string {
			if k == "KILN_UNIVERSAL" {
				return tc.env
			}
			return ""
		}}
		if got := ReadSetting(r, tc.configured); got != tc.want || !reflect.DeepEqual(r.Errs, tc.errs) {
			t.Errorf("ReadSetting(KILN_UNIVERSAL=%q, %q) = %q, %q; want %q, %q", tc.env, tc.configured, got, r.Errs, tc.want, tc.errs)
		}
	}
}
