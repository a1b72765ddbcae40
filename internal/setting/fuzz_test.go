package setting

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzReader reads any value a user can put in a KILN_* variable: each
// reader accepts it or refuses it with exactly one line that names the
// variable and quotes the value, and never returns a value it refused.
func FuzzReader(f *testing.F) {
	for _, s := range []string{"", "3", "0", "-1", "true", "x", " 2 ", "1\n2", "99999999999999999999", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		r := &Reader{Getenv: func(string) string { return v }}
		trimmed := strings.TrimSpace(v)
		oneLine := func(what string) {
			t.Helper()
			if len(r.Errs) != 1 {
				t.Fatalf("%s(%q): %d lines, want 1: %q", what, v, len(r.Errs), r.Errs)
			}
			if line := r.Errs[0]; strings.Contains(line, "\n") || !strings.HasPrefix(line, "KILN_X="+strconv.Quote(trimmed)+": want ") {
				t.Fatalf("%s(%q) refused as %q", what, v, line)
			}
			r.Errs = nil
		}
		n := r.Count("KILN_X", 7, "jobs")
		if len(r.Errs) > 0 {
			oneLine("Count")
			if n != 7 {
				t.Fatalf("Count(%q) refused it but returned %d, not the default", v, n)
			}
		} else if trimmed != "" && n < 1 || trimmed == "" && n != 7 {
			t.Fatalf("Count(%q) = %d", v, n)
		}
		b := r.Bool("KILN_X", false)
		if len(r.Errs) > 0 {
			oneLine("Bool")
		} else if want, err := strconv.ParseBool(trimmed); trimmed != "" && (err != nil || b != want) {
			t.Fatalf("Bool(%q) = %v", v, b)
		}
		got := r.OneOf("KILN_X", trimmed, "auto", "auto, on or off", "auto", "on", "off")
		if len(r.Errs) > 0 {
			oneLine("OneOf")
		} else if got != "auto" && got != "on" && got != "off" {
			t.Fatalf("OneOf(%q) = %q, none of the forms", v, got)
		}
	})
}
