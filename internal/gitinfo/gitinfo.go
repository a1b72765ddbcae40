// Package gitinfo reads the facts of a source tree that a release states:
// from git itself a semver version (`git describe`), the commit, the
// commit time and whether the work tree differs from it (Status); the
// sources outside the commit that reach the build (a go.work, local
// replace directories: ReadSources); and the values a user or a manifest
// gives for them, validated where they are read (ParseCommit,
// ParseSourceDateEpoch, Normalize). Values from outside reach git only
// through functions that validate them or place them after
// --end-of-options or "--".
package gitinfo

import (
	"bytes"
	"context"
	"fmt"
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
	// Dirty is true when Changes is not empty; a version set by the user
	// does not change it.
	Dirty bool
	// Changes lists what makes the tree differ from Commit (Status).
	Changes []Change
	// Note says why facts are missing (no git, no commit), for one line of
	// output; empty when all is known.
	Note string
}

// Read is ReadWith with the process's SOURCE_DATE_EPOCH.
func Read(ctx context.Context, dir string) (Info, error) {
	return ReadWith(ctx, dir, envSourceDateEpoch())
}

// ReadWith returns the facts for the tree at dir, with sourceDateEpoch the
// value of SOURCE_DATE_EPOCH ("" when unset), validated by
// ParseSourceDateEpoch (an *EpochError when it is bad). A tree without git
// (or git not installed) is not an error: the version is DevVersion and
// Note says why. Dirty and Changes come from Status: untracked files that
// are not ignored count, as they do for the go command.
func ReadWith(ctx context.Context, dir, sourceDateEpoch string) (Info, error) {
	var info Info
	epoch, hasEpoch, err := sourceDateEpochOf(sourceDateEpoch)
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
	if err != nil || !ValidCommit(hash) {
		return info, fmt.Errorf("git log: unexpected output %q", out)
	}
	info.Commit = hash
	info.Time = time.Unix(sec, 0).UTC()
	if hasEpoch {
		info.Time = epoch
	}
	if info.Changes, err = Status(ctx, dir); err != nil {
		return info, err
	}
	info.Dirty = len(info.Changes) > 0
	desc, err := Git(ctx, dir, "describe", "--tags", "--match=v[0-9]*")
	if err == nil && semver.IsValid(desc) {
		info.Version = desc
	} else {
		// No semver tag: a pseudo-version like the go command's.
		info.Version = "v0.0.0-" + time.Unix(sec, 0).UTC().Format("20060102150405") + "-" + hash[:12]
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

// Git runs git with args in dir and returns its output without the final
// newlines; a failure carries git's stderr. A value from outside kiln (a
// manifest's commit) must not reach args unchecked: use the functions of
// commit.go, which validate it or place it after --end-of-options or "--".
func Git(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := gitRaw(ctx, dir, args...)
	return strings.TrimRight(out, "\n"), err
}

// gitRaw is Git without trimming the output.
func gitRaw(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}
