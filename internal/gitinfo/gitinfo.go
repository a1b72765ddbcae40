// Package gitinfo reads the version facts of a source tree from git itself:
// a semver version from `git describe`, the commit and the commit time.
package gitinfo

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/semver"
)

// DevVersion is the version of a tree without git or without a commit.
const DevVersion = "v0.0.0-dev"

// Info is what git knows about the tree.
type Info struct {
	Version string    // semver with a leading "v"
	Commit  string    // full hash, "" without git
	Time    time.Time // commit time (UTC); SOURCE_DATE_EPOCH wins when set
	Dirty   bool
	// Note says why facts are missing (no git, no commit), for one line of
	// output; empty when all is known.
	Note string
}

// Read returns the facts for the tree at dir. A tree without git (or git
// not installed) is not an error: the version is DevVersion and Note says why.
func Read(ctx context.Context, dir string) (Info, error) {
	var info Info
	epoch, hasEpoch, err := sourceDateEpoch()
	if err != nil {
		return info, err
	}
	out, err := Git(ctx, dir, "log", "-1", "--format=%H %ct")
	if err != nil {
		info.Version = DevVersion
		info.Note = "not a git checkout (or no commit yet): version " + DevVersion
		if hasEpoch {
			info.Time = epoch
		}
		return info, nil
	}
	hash, ct, _ := strings.Cut(out, " ")
	sec, err := strconv.ParseInt(ct, 10, 64)
	if err != nil {
		return info, fmt.Errorf("git log: bad commit time %q", ct)
	}
	info.Commit = hash
	info.Time = time.Unix(sec, 0).UTC()
	if hasEpoch {
		info.Time = epoch
	}
	desc, err := Git(ctx, dir, "describe", "--tags", "--match=v[0-9]*", "--dirty")
	if err == nil && semver.IsValid(strings.TrimSuffix(desc, "-dirty")) {
		info.Dirty = strings.HasSuffix(desc, "-dirty")
		info.Version = strings.TrimSuffix(desc, "-dirty")
	} else {
		// No semver tag: a pseudo-version like the go command's.
		info.Version = "v0.0.0-" + time.Unix(sec, 0).UTC().Format("20060102150405") + "-" + hash[:12]
		if st, err := Git(ctx, dir, "status", "--porcelain", "--untracked-files=no"); err == nil && st != "" {
			info.Dirty = true
		}
	}
	if info.Dirty {
		info.Version += "+dirty"
	}
	return info, nil
}

// FormatDate is a source date as kiln writes it everywhere (the -X date
// variable, the manifest, image labels): RFC 3339 in UTC, "" for no date.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Normalize validates a user-given version (KILN_VERSION, config) and
// returns it with a leading "v".
func Normalize(v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("empty version")
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	base, _, _ := strings.Cut(v, "+")
	if !semver.IsValid(v) || semver.Canonical(v) != base { // "v1.2" is valid shorthand in x/mod, not a release version
		return "", fmt.Errorf("version %q is not semver (want MAJOR.MINOR.PATCH, e.g. 1.2.3, v1.2.3-rc.1)", strings.TrimPrefix(v, "v"))
	}
	return v, nil
}

func sourceDateEpoch() (time.Time, bool, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Time{}, false, nil
	}
	sec, err := strconv.ParseInt(s, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, false, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970", s)
	}
	return time.Unix(sec, 0).UTC(), true, nil
}

// Git runs git with args in dir and returns its output without the final
// newlines; a failure carries git's stderr.
func Git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimRight(string(out), "\n"), nil
}
