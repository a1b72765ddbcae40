package gitinfo

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// The range of SOURCE_DATE_EPOCH kiln accepts. The lower bound is the zip
// format's: an MS-DOS timestamp cannot be earlier than 1980-01-01, so an
// earlier time would be clamped in zip archives and differ from the time
// in tar, deb and the provenance. The upper bound is RFC 3339's, which has
// four-digit years: every time kiln writes into JSON (manifest,
// provenance, SBOM) must be at most 9999-12-31T23:59:59Z.
var (
	MinSourceDate = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxSourceDate = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// An EpochError reports a SOURCE_DATE_EPOCH kiln cannot use.
type EpochError struct {
	Value string
	// Why is "not whole seconds", "before 1980-01-01", "after 9999-12-31".
	Why string
}

func (e *EpochError) Error() string {
	return fmt.Sprintf("SOURCE_DATE_EPOCH=%q is %s: want whole seconds since 1970-01-01 UTC from %d (1980-01-01, the earliest a zip archive records) to %d (9999-12-31T23:59:59Z, the latest RFC 3339 writes), e.g. the commit time `git log -1 --format=%%ct`; or unset it to use the commit time",
		e.Value, e.Why, MinSourceDate.Unix(), MaxSourceDate.Unix())
}

// ParseSourceDateEpoch validates a SOURCE_DATE_EPOCH value: decimal digits
// only (no sign, space or fraction), in [MinSourceDate, MaxSourceDate].
// It returns the time in UTC, or an *EpochError naming the variable. Call
// it where the value is read (when the plan is resolved), so a bad value
// fails before anything is built.
func ParseSourceDateEpoch(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, &EpochError{Value: s, Why: "empty"}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, &EpochError{Value: s, Why: "not whole seconds"}
		}
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil || sec > MaxSourceDate.Unix():
		return time.Time{}, &EpochError{Value: s, Why: "after 9999-12-31T23:59:59Z"}
	case sec < MinSourceDate.Unix():
		return time.Time{}, &EpochError{Value: s, Why: "before 1980-01-01"}
	}
	return time.Unix(sec, 0).UTC(), nil
}

// sourceDateEpochOf is ParseSourceDateEpoch for a value that may be unset.
func sourceDateEpochOf(s string) (time.Time, bool, error) {
	if s == "" {
		return time.Time{}, false, nil
	}
	t, err := ParseSourceDateEpoch(s)
	return t, err == nil, err
}

// envSourceDateEpoch is the process's SOURCE_DATE_EPOCH.
func envSourceDateEpoch() string { return os.Getenv("SOURCE_DATE_EPOCH") }
