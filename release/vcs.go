package release

import (
	"fmt"

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
		return gitinfo.DirtyReason(info.Changes)
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
