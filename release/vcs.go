package release

import (
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/gitinfo"
)

// stampVCS decides whether Go stamps the checkout's VCS facts into the
// binaries (Plan.VCS): only for a clean checkout as Go itself tests it — a
// commit, no uncommitted change, no file that git neither tracks nor
// ignores (info.Changes, read once by gitinfo.Read; the output directory
// ignores itself, see outdir). Reproduce's rebuild does as the manifest of
// the release says. It returns why not, for the programs that read their
// version from the build info.
func (p *Plan) stampVCS(in inputs, info gitinfo.Info) string {
	switch {
	case info.Commit == "":
		return "not a git checkout"
	case info.Dirty:
		return dirtyReason(info.Changes)
	case in.s.Version != "" && in.s.Version != info.Version:
		// Go would stamp the tag's version (or a pseudo-version), not the
		// one set: the build info must not contradict the release.
		return fmt.Sprintf("the version is set to %s, which the commit's tag does not give (%s)", in.s.Version, info.Version)
	case in.vcs != nil && !*in.vcs:
		return "the release reproduced was built without it"
	}
	p.VCS = &gobuild.VCS{Revision: info.Commit, Time: info.Time, Tag: info.Version}
	return ""
}

// dirtyReason says why a tree is not clean for Go's VCS stamping, naming
// up to three of its changes.
func dirtyReason(changes []gitinfo.Change) string {
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
