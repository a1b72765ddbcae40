package gitinfo

import (
	"context"
	"fmt"
	"strings"
)

// A Change is one entry of `git status`: a path that makes the work tree
// differ from its commit.
type Change struct {
	// Path is relative to the repository's top directory, in slash form;
	// an untracked directory ends in "/".
	Path string
	// State is "staged", "modified", "staged and modified", "deleted",
	// "untracked" or "conflict".
	State string
}

func (c Change) String() string { return c.State + ": " + c.Path }

// Status lists what makes the work tree of dir differ from its commit:
// staged changes, changes to tracked files (deletions too) and untracked
// files that are not ignored — the same test the go command makes before it
// stamps vcs.modified=true, run the same way (`git status --porcelain`), so
// a tree kiln calls clean is one Go calls clean. The answer depends on the
// tree only, never on a version someone set. An empty list is a clean
// tree.
func Status(ctx context.Context, dir string) ([]Change, error) {
	out, err := gitRaw(ctx, dir, "status", "--porcelain=v1", "-z", "--no-renames")
	if err != nil {
		return nil, err
	}
	return parseStatus(out)
}

// parseStatus reads `git status --porcelain=v1 -z --no-renames`: entries
// "XY path" separated by NUL.
func parseStatus(out string) ([]Change, error) {
	var changes []Change
	for _, e := range strings.Split(out, "\x00") {
		if e == "" {
			continue
		}
		if len(e) < 4 || e[2] != ' ' {
			return nil, fmt.Errorf("git status: unexpected entry %q", e)
		}
		changes = append(changes, Change{Path: e[3:], State: state(e[0], e[1])})
	}
	return changes, nil
}

// state names the porcelain status XY (index, work tree).
func state(x, y byte) string {
	switch {
	case x == '?':
		return "untracked"
	case x == 'U' || y == 'U' || x == 'A' && y == 'A' || x == 'D' && y == 'D':
		return "conflict"
	case y == 'D':
		return "deleted"
	case x != ' ' && y != ' ':
		return "staged and modified"
	case x != ' ':
		return "staged"
	}
	return "modified"
}

// DirtyError lists the changes of a work tree whose state matters (a
// provenance claims the commit describes the build).
type DirtyError struct {
	Changes []Change
}

func (e *DirtyError) Error() string {
	const show = 20
	var b strings.Builder
	fmt.Fprintf(&b, "the work tree has %d uncommitted change(s); commit or stash them, or remove the untracked files, and run again:", len(e.Changes))
	for i, c := range e.Changes {
		if i == show {
			fmt.Fprintf(&b, "\n  ... and %d more (git status lists them)", len(e.Changes)-show)
			break
		}
		b.WriteString("\n  " + c.String())
	}
	return b.String()
}

// Clean returns a *DirtyError listing the changes of the work tree of dir,
// or nil when it has none (see Status).
func Clean(ctx context.Context, dir string) error {
	changes, err := Status(ctx, dir)
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		return &DirtyError{Changes: changes}
	}
	return nil
}

// DirtyReason says why a tree with changes is not clean for Go's VCS
// stamping, naming up to three of them.
func DirtyReason(changes []Change) string {
	untracked := len(changes) > 0
	var names []string
	for i, c := range changes {
		untracked = untracked && c.State == "untracked"
		if i < 3 {
			names = append(names, c.String())
		}
	}
	more := ""
	if len(changes) > 3 {
		more = fmt.Sprintf(" and %d more", len(changes)-3)
	}
	if untracked {
		for i := range names {
			names[i] = "?? " + changes[i].Path
		}
		return fmt.Sprintf("git sees files it does not track (%s%s): commit, ignore or remove them", strings.Join(names, ", "), more)
	}
	if len(names) == 0 {
		return "the work tree has uncommitted changes"
	}
	return fmt.Sprintf("the work tree has uncommitted changes (%s%s)", strings.Join(names, ", "), more)
}

// Unstamped says why Go must not stamp the tree's VCS facts into a build
// of version (the version set for the release, "" when none), or "" when
// it may: only a clean checkout as Go itself tests it qualifies (a commit,
// no uncommitted change, no file git neither tracks nor ignores), and a
// set version the commit's tag does not give would have the build info
// contradict the release (Go stamps the tag's version, or a
// pseudo-version).
func (i Info) Unstamped(version string) string {
	switch {
	case i.Commit == "":
		return "not a git checkout"
	case i.Dirty:
		return DirtyReason(i.Changes)
	case version != "" && version != i.Version:
		return fmt.Sprintf("the version is set to %s, which the commit's tag does not give (%s)", version, i.Version)
	}
	return ""
}
