package gitinfo

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseSourceDateEpoch(t *testing.T) {
	for in, want := range map[string]time.Time{
		"315532800":    time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC),
		"1700000000":   time.Unix(1700000000, 0).UTC(),
		"0315532800":   time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC),
		"253402300799": time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		if got, err := ParseSourceDateEpoch(in); err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseSourceDateEpoch(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, why := range map[string]string{
		"":                     "empty",
		"yesterday":            "not whole seconds",
		"-1":                   "not whole seconds",
		"+1700000000":          "not whole seconds",
		"1700000000.5":         "not whole seconds",
		" 1700000000":          "not whole seconds",
		"1e9":                  "not whole seconds",
		"0":                    "before 1980-01-01",
		"315532799":            "before 1980-01-01",
		"253402300800":         "after 9999-12-31T23:59:59Z",
		"99999999999999999999": "after 9999-12-31T23:59:59Z",
	} {
		_, err := ParseSourceDateEpoch(in)
		var ee *EpochError
		if !errors.As(err, &ee) || ee.Why != why || !strings.HasPrefix(err.Error(), "SOURCE_DATE_EPOCH=") || !strings.Contains(err.Error(), "253402300799") {
			t.Errorf("ParseSourceDateEpoch(%q) = %v, want an *EpochError saying %q", in, err, why)
		}
	}
}

// FuzzParseSourceDateEpoch: any value is a time in range or an error.
func FuzzParseSourceDateEpoch(f *testing.F) {
	for _, s := range []string{"0", "315532800", "253402300799", "253402300800", "-1", "1e9", "9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSourceDateEpoch(s)
		if err == nil && (got.Before(MinSourceDate) || got.After(MaxSourceDate) || got.Format(time.RFC3339) == "") {
			t.Fatalf("ParseSourceDateEpoch(%q) = %v, out of range", s, got)
		}
		if err == nil {
			if _, merr := got.MarshalJSON(); merr != nil {
				t.Fatalf("ParseSourceDateEpoch(%q) = %v, which JSON cannot hold: %v", s, got, merr)
			}
		}
	})
}
