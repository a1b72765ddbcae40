package setting

import (
	"errors"
	"slices"
	"testing"
)

// TestReader: each reader takes the variable over the configured value,
// and refuses a bad value in one line naming the setting, the value and
// the accepted forms.
func TestReader(t *testing.T) {
	env := map[string]string{"N": " 3 ", "ZERO": "0", "WORD": "x", "T": "true", "B": "perhaps", "SP": "  "}
	for _, tc := range []struct {
		name    string
		read    func(r *Reader) any
		want    any
		wantErr string
	}{
		{"Count set", func(r *Reader) any { return r.Count("N", 7, "") }, 3, ""},
		{"Count unset", func(r *Reader) any { return r.Count("UNSET", 7, "") }, 7, ""},
		{"Count spaces", func(r *Reader) any { return r.Count("SP", 7, "") }, 7, ""},
		{"Count zero", func(r *Reader) any { return r.Count("ZERO", 7, "") }, 7, `ZERO="0": want a whole number >= 1`},
		{"Count word, what", func(r *Reader) any { return r.Count("WORD", 0, "how many jobs") }, 0, `WORD="x": want a whole number >= 1 (how many jobs)`},
		{"Bool set", func(r *Reader) any { return r.Bool("T", false) }, true, ""},
		{"Bool unset", func(r *Reader) any { return r.Bool("UNSET", true) }, true, ""},
		{"Bool bad", func(r *Reader) any { return r.Bool("B", false) }, false, `B="perhaps": want true or false`},
		{"Over env", func(r *Reader) any { v, n := r.Over("N", "c", "Config.N"); return v + " " + string(n) }, "3 N", ""},
		{"Over configured", func(r *Reader) any { v, n := r.Over("SP", "c", "Config.N"); return v + " " + string(n) }, "c Config.N", ""},
		{"OneOf form", func(r *Reader) any { return r.OneOf("Config.M", "on", "auto", "on or off", "on", "off") }, "on", ""},
		{"OneOf default", func(r *Reader) any { return r.OneOf("Config.M", "", "auto", "on or off", "on", "off") }, "auto", ""},
		{"OneOf bad", func(r *Reader) any { return r.OneOf("Config.M", "On", "auto", "on or off", "on", "off") }, "On", `Config.M "On": want on or off`},
		{"OneOf bad, either", func(r *Reader) any { return r.OneOf("M/Config.M", "x", "", "on", "on") }, "x", `M/Config.M "x": want on`},
		{"Check ok", func(r *Reader) any { return r.Check(true, "M", "x", "y") }, true, ""},
		{"Check bad", func(r *Reader) any { return r.Check(false, "M", "x", "y") }, false, `M="x": want y`},
		{"Add nil", func(r *Reader) any { r.Add("M", nil); return nil }, nil, ""},
		{"Add", func(r *Reader) any { r.Add("M", errors.New("bad")); return nil }, nil, "M: bad"},
		{"Add bare", func(r *Reader) any { r.Add("", errors.New("KILN_LOCK: bad")); return nil }, nil, "KILN_LOCK: bad"},
	} {
		r := &Reader{Getenv: func(k string) string { return env[k] }}
		got := tc.read(r)
		var want []string
		if tc.wantErr != "" {
			want = []string{tc.wantErr}
		}
		if got != tc.want || !slices.Equal(r.Errs, want) {
			t.Errorf("%s = %v, errors %q; want %v, %q", tc.name, got, r.Errs, tc.want, want)
		}
	}
}
