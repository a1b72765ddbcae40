// Package reproduce rebuilds the release an output directory's manifest
// records, from a fresh clone of its commit with empty caches, and
// compares every artifact with the manifest's.
package reproduce

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/bindiff"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/release"
)

// Run rebuilds the release the manifest of p's output directory records
// and compares it with the manifest: from a fresh clone of the recorded
// commit, at another path, with an empty build cache (GOCACHE) and plan
// cache, with the manifest's version and platforms and p's configuration.
// Every binary's sha256 must equal the manifest's; when the manifest
// records a packaged release, the rebuild is verified (without the run
// check) and packaged too, and every archive, package, SBOM, checksums
// file and provenance statement must equal the manifest's as well.
//
// A work tree with uncommitted changes is refused with the files listed,
// and so is a manifest of a dirty build. On a difference, the artifact is
// named with where its bytes first differ (section, build info settings)
// and the rebuilt files are kept for inspection.
func Run(ctx context.Context, p *release.Plan) error {
	rep := p.Reporter()
	if err := cleanTree(ctx, p.Dir); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(p.Out, artifact.FileName)); err != nil {
		return fmt.Errorf("reproduce: no manifest in %s: build the release first (mage crossall)", p.OutDir().Name())
	}
	h, m, err := p.OutDir().AcquireManifest(ctx)
	if err != nil {
		return err
	}
	defer h.Release()
	switch {
	case m.Commit == "":
		return fmt.Errorf("reproduce: the manifest records no commit (built outside git): there is nothing to rebuild from")
	case strings.Contains(m.Version, "+dirty"):
		return fmt.Errorf("reproduce: the manifest's version %s was built from uncommitted changes, which no commit holds: commit, build again, then reproduce", m.Version)
	}
	var bins, packaged []artifact.Artifact
	var platforms []string
	for _, a := range m.Artifacts {
		switch {
		case !a.Built():
			packaged = append(packaged, a)
		case a.Version == m.Version && a.Commit == m.Commit:
			bins = append(bins, a)
			if pl := a.Platform().String(); a.Kind == artifact.Binary && !slices.Contains(platforms, pl) {
				platforms = append(platforms, pl)
			}
		default:
			rep.Printf("  skipped %s: built at %s %s, not the manifest's release\n", a.Path, a.Version, cmp.Or(a.Commit, "none"))
		}
	}
	if len(bins) == 0 {
		return fmt.Errorf("reproduce: no binary of %s %s in %s", m.Project, m.Version, p.OutDir().Name())
	}

	tmp, err := os.MkdirTemp("", "kiln-reproduce-")
	if err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	keep := false
	defer func() {
		os.RemoveAll(filepath.Join(tmp, "src"))
		os.RemoveAll(filepath.Join(tmp, "cache"))
		if !keep {
			os.RemoveAll(tmp)
		}
	}()
	rp, err := rebuildPlan(ctx, p, m, platforms, tmp, len(packaged) > 0)
	if err != nil {
		return err
	}
	if err := rp.Build(ctx); err != nil {
		return fmt.Errorf("reproduce: the rebuild of %s failed: %w", m.Commit, err)
	}
	if len(packaged) > 0 {
		if err := rp.Verify(ctx); err != nil {
			return fmt.Errorf("reproduce: the rebuild's verify failed: %w", err)
		}
		if err := rp.Package(ctx); err != nil {
			return fmt.Errorf("reproduce: the rebuild's package failed: %w", err)
		}
	}
	rm, err := artifact.Load(rp.Out)
	if err != nil {
		return err
	}
	rebuilt := map[string]artifact.Artifact{}
	for _, a := range rm.Artifacts {
		rebuilt[a.Path] = a
	}

	var diffs *multierror.Error
	same := 0
	rep.Printf("reproduce: %s %s at %s\n", m.Project, m.Version, m.Commit)
	for _, a := range append(bins, packaged...) {
		r, ok := rebuilt[a.Path]
		switch {
		case a.Kind == artifact.Signature:
			rep.Printf("  %-8s %s: a signature (the rebuild signs nothing: it compares what was signed)\n", "skipped", a.Path)
			continue
		case !ok && !a.Built():
			rep.Printf("  %-8s %s: not part of the rebuilt release (an earlier release's file?)\n", "skipped", a.Path)
			continue
		case !ok:
			rep.Printf("  %-8s %s\n", "MISSING", a.Path)
			diffs = multierror.Append(diffs, fmt.Errorf("%s: the rebuild has no such file", a.Path))
			continue
		case r.SHA256 == a.SHA256:
			rep.Printf("  %-8s %s\n", "same", a.Path)
			same++
			continue
		}
		rep.Printf("  %-8s %s\n", "DIFFERS", a.Path)
		diffs = multierror.Append(diffs, fmt.Errorf("%s", explain(p, a, r, rp.Out)))
	}
	if diffs != nil {
		keep = true
		diffs.ErrorFormat = func(es []error) string {
			return errlist.Listed(fmt.Sprintf("reproduce: %d of %d artifact(s) differ from the rebuild of %s (rebuilt files kept in %s)",
				len(es), same+len(es), m.Commit, rp.Out), es)
		}
		return diffs
	}
	rep.Printf("reproduce: %d artifact(s) identical to a rebuild of %s with an empty cache in %.2fs\n",
		same, m.Commit, time.Since(p.Start).Seconds())
	return nil
}

// explain says how an artifact of p's output directory differs from its
// rebuild: for a binary, where the bytes first differ and the build info
// settings that do.
func explain(p *release.Plan, a, r artifact.Artifact, rebuiltOut string) string {
	head := fmt.Sprintf("%s (%s): manifest sha256 %s, rebuilt %s", a.Path, a.Kind, a.SHA256, r.SHA256)
	real, err := safefile.Within(p.Out, a.Path)
	if err != nil {
		return head + fmt.Sprintf("\n(the file itself: %v)", err)
	}
	if got, err := artifact.Describe(p.Out, a); err == nil && got.SHA256 != a.SHA256 {
		head += fmt.Sprintf("\nthe file in %s is not the manifest's either (sha256 %s): it changed after the build", p.OutDir().Name(), got.SHA256)
	}
	if a.Kind != artifact.Binary {
		return head
	}
	d, err := bindiff.ExplainFiles(real, filepath.Join(rebuiltOut, filepath.FromSlash(r.Path)))
	if err != nil {
		return head + "\n" + err.Error()
	}
	return head + "\n" + d.String()
}

// rebuildPlan resolves the plan of the rebuild from p's configuration: a
// clone of the manifest's commit under tmp at the manifest's version and
// platforms, its output in tmp/dist, empty caches in tmp/cache; noRun
// when its verify will run (a packaged release), without the run check.
func rebuildPlan(ctx context.Context, p *release.Plan, m *artifact.Manifest, platforms []string, tmp string, noRun bool) (*release.Plan, error) {
	src := filepath.Join(tmp, "src")
	dir, err := gitinfo.CloneAt(ctx, p.Dir, m.Commit, src)
	if err != nil {
		return nil, fmt.Errorf("reproduce: %w", err)
	}
	if head, _ := gitinfo.Head(ctx, p.Dir); head != m.Commit {
		p.Reporter().Printf("note: rebuilding the manifest's commit %s, not HEAD %s, with HEAD's configuration\n", m.Commit, head)
	}
	version, err := gitinfo.Normalize(m.Version)
	if err != nil {
		return nil, fmt.Errorf("reproduce: the manifest's version: %w", err)
	}
	cache := filepath.Join(tmp, "cache")
	r := release.Rebuild{Dir: dir, Version: version, Platforms: platforms, Out: filepath.Join(tmp, "dist"),
		GoCache: filepath.Join(cache, "go"), PlanCache: filepath.Join(cache, "kiln"), NoRun: noRun,
		// Go's VCS stamping as the release had it (the clone is clean either way).
		VCS: slices.ContainsFunc(m.Artifacts, func(a artifact.Artifact) bool {
			return a.Kind == artifact.Binary && a.Version == m.Version && a.Commit == m.Commit && a.VCS
		})}
	p.Reporter().Printf("reproduce: rebuilding %s %s (%s) in %s with an empty build cache\n", m.Project, m.Version, strings.Join(platforms, ", "), src)
	rp, err := p.Rebuild(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("reproduce: %w", err)
	}
	if date := gitinfo.FormatDate(rp.Version.Date); m.Date != "" && date != m.Date {
		return nil, fmt.Errorf("reproduce: the manifest's date %s is not the commit's %s: was SOURCE_DATE_EPOCH set for the build?", m.Date, date)
	}
	return rp, nil
}

// cleanTree refuses a work tree with uncommitted changes (untracked
// files included, as Go's own vcs.modified counts them), listing them.
func cleanTree(ctx context.Context, dir string) error {
	if err := gitinfo.Clean(ctx, dir); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	return nil
}
