package shards

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/outdir"
	"github.com/kiln-build/kiln/release"
)

// shardDir is one shard's output directory as the merge read it.
type shardDir struct {
	dir  string // absolute
	name string // as the user gave it (or as the glob matched it)
	m    *artifact.Manifest
}

// pick is the entry the merge records for one binary path, and where its
// file is.
type pick struct {
	a    artifact.Artifact
	from *shardDir
}

// Merge brings the output directories of a sharded build (KILN_SHARD=i/n
// on several machines, as CI delivers them: one folder per shard, file
// modes lost) into p's output directory, as if one machine had built the
// whole matrix: the binaries in place with mode 0755 and one manifest
// whose binary entries are the shards' own (their verify results dropped:
// verify runs after the merge, then package).
//
// dirs are directories or globs of them, relative to the module root.
// Every claim is checked first: each shard's manifest names this plan's
// project, version and commit; each binary entry is one of this plan's
// (binary, platform) pairs and matches its file (confined path, regular
// file, size, sha256); two shards never disagree on one binary's bytes;
// and every pair of the plan is there — a missing one is named with the
// shard that should have built it. On any refusal nothing is written.
func Merge(ctx context.Context, p *release.Plan, dirs []string) error {
	if err := wholeMatrix(p, "merge"); err != nil {
		return err
	}
	shards, err := shardDirs(p, dirs)
	if err != nil {
		return err
	}
	if err := shardsInCheckout(ctx, p, shards); err != nil {
		return err
	}
	picks, err := checkShards(p, shards)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	h, err := p.OutDir().Acquire(ctx)
	if err != nil {
		return err
	}
	defer h.Release()
	if err := writeMerge(ctx, p, h, picks); err != nil {
		return err
	}
	if err := p.JoinUniversal(ctx); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	p.Reporter().Printf("merge: %d binaries of %s %s from %d shard(s) into %s in %.2fs\n", len(picks), p.Project,
		p.Version.Semver, len(shards), p.OutDir().Name(), time.Since(p.Start).Seconds())
	return nil
}

// shardDirs expands dirs (globs allowed) into the shard directories, each
// with its manifest.
func shardDirs(p *release.Plan, dirs []string) ([]*shardDir, error) {
	var out []*shardDir
	seen := map[string]bool{}
	var errs *multierror.Error
	outReal, _ := filepath.EvalSymlinks(p.Out)
	for _, d := range dirs {
		if d = strings.TrimSpace(d); d == "" {
			continue
		}
		pattern := d
		if !filepath.IsAbs(pattern) {
			pattern = filepath.Join(p.Dir, pattern)
		}
		matches, err := filepath.Glob(pattern)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", d, err))
			continue
		}
		if len(matches) == 0 {
			errs = multierror.Append(errs, fmt.Errorf("%s: no such directory", d))
			continue
		}
		for _, dir := range matches {
			real, err := filepath.EvalSymlinks(dir)
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", dir, err))
				continue
			}
			if seen[real] {
				continue
			}
			seen[real] = true
			if real == outReal {
				errs = multierror.Append(errs, fmt.Errorf("%s: it is the output directory %s itself; download the shards elsewhere", dir, p.OutDir().Name()))
				continue
			}
			m, err := artifact.Load(real)
			if err == nil && len(m.Artifacts) == 0 {
				err = fmt.Errorf("no %s with artifacts in it: not a shard's output directory", artifact.FileName)
			}
			if err != nil {
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", dir, err))
				continue
			}
			out = append(out, &shardDir{dir: real, name: p.OutDir().Shown(dir), m: m})
		}
	}
	if errs == nil && len(out) == 0 {
		return nil, fmt.Errorf("merge: no shard directory given: pass the shards' output directories, e.g. mage merge 'shards/*'")
	}
	if errs != nil {
		errs.ErrorFormat = func(es []error) string { return errlist.Listed("merge: refusing to merge", es) }
	}
	return out, errs.ErrorOrNil()
}

// shardsInCheckout refuses shards downloaded into the checkout where git
// sees them as untracked files: they make this checkout's version +dirty,
// which no shard built, so every claim would be refused for the wrong
// reason.
func shardsInCheckout(ctx context.Context, p *release.Plan, shards []*shardDir) error {
	if !p.Version.Dirty {
		return nil
	}
	top, err := gitinfo.Git(ctx, p.Dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil // the checks that follow say what is wrong
	}
	if real, err := filepath.EvalSymlinks(strings.TrimSpace(top)); err == nil {
		top = real
	}
	names := untrackedShards(top, p.Version.Changes, shards)
	if len(names) == 0 {
		return nil
	}
	return fmt.Errorf("merge: the shard directories %s are inside the checkout, where git sees them as untracked files: they make this checkout's version %s, which no shard built; "+
		"download the shards outside the checkout (GitHub Actions: download-artifact's path: ${{ runner.temp }}/shards, then mage merge \"$RUNNER_TEMP/shards/*\") or ignore their folder in .gitignore",
		strings.Join(names, ", "), p.Version.Semver)
}

// untrackedShards names the shards that are, or lie in, or hold one of
// the untracked changes (paths relative to top, the repository's top
// directory).
func untrackedShards(top string, changes []gitinfo.Change, shards []*shardDir) []string {
	within := func(dir, p string) bool {
		rel, err := filepath.Rel(dir, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	var names []string
	for _, sd := range shards {
		for _, c := range changes {
			abs := filepath.Join(top, filepath.FromSlash(strings.TrimSuffix(c.Path, "/")))
			if c.State == "untracked" && (within(abs, sd.dir) || within(sd.dir, abs)) {
				names = append(names, sd.name)
				break
			}
		}
	}
	return names
}

// checkShards checks every claim of every shard and returns the entry to
// record per binary path, in the plan's order; every problem is reported.
func checkShards(p *release.Plan, shards []*shardDir) ([]pick, error) {
	var errs *multierror.Error
	fail := func(sd *shardDir, format string, args ...any) {
		errs = multierror.Append(errs, fmt.Errorf("shard %s: %s", sd.name, fmt.Sprintf(format, args...)))
	}
	date := gitinfo.FormatDate(p.Version.Date)
	byPath := map[string]pick{}
	claimed := map[string]bool{} // paths some shard has, refused or not
	var present [][]matrix.Platform
	for _, sd := range shards {
		m := sd.m
		switch {
		case m.Project != p.Project:
			fail(sd, "project %q, not %q", m.Project, p.Project)
		case m.Version != p.Version.Semver:
			fail(sd, "built at version %s, this checkout is %s: every shard must build the same commit as the merge", orNone(m.Version), p.Version.Semver)
		case m.Commit != p.Version.Commit:
			fail(sd, "built from commit %s, this checkout is %s: every shard must build the same commit as the merge", orNone(m.Commit), orNone(p.Version.Commit))
		case m.Date != date:
			fail(sd, "commit date %s, this checkout's is %s", orNone(m.Date), orNone(date))
		}
		if n := len(m.Artifacts) - len(m.Filter(artifact.ByKind(artifact.Binary, artifact.Universal))); n > 0 {
			p.Reporter().Printf("  shard %s: %d packaged file(s) left out: package runs once, after the merge\n", sd.name, n)
		}
		var pls []matrix.Platform
		for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
			if why := mergeable(p, a); why != "" {
				fail(sd, "%s: %s", a.Path, why)
				continue
			}
			claimed[a.Path] = true
			if !slices.Contains(pls, a.Platform()) {
				pls = append(pls, a.Platform())
			}
			got, err := artifact.Describe(sd.dir, a)
			if err != nil {
				fail(sd, "%v", err)
				continue
			}
			if got.SHA256 != a.SHA256 || got.Size != a.Size {
				fail(sd, "%s: the file (%d bytes, sha256 %s) is not the one its manifest records (%d bytes, sha256 %s): it changed after the build", a.Path, got.Size, got.SHA256, a.Size, a.SHA256)
				continue
			}
			prev, ok := byPath[a.Path]
			switch {
			case !ok:
				byPath[a.Path] = pick{a: a, from: sd}
			case prev.a.SHA256 != a.SHA256:
				fail(sd, "%s: sha256 %s, but shard %s has %s for it: two shards built different bytes for one artifact (different toolchains or environments?)", a.Path, a.SHA256, prev.from.name, prev.a.SHA256)
			}
		}
		present = append(present, pls)
	}
	var picks []pick
	var missing []string
	who := whoShards(p, present)
	for _, pl := range p.Platforms {
		var names []string
		for _, b := range p.Binaries {
			if !b.On(pl) {
				continue
			}
			if pk, ok := byPath[p.BinaryPath(b, pl)]; ok {
				picks = append(picks, pk)
			} else if !claimed[p.BinaryPath(b, pl)] {
				names = append(names, b.Name)
			}
		}
		if len(names) > 0 {
			missing = append(missing, fmt.Sprintf("%s (%s): %s", pl, strings.Join(names, ", "), who(pl)))
		}
	}
	for _, m := range missing {
		errs = multierror.Append(errs, fmt.Errorf("missing %s", m))
	}
	if errs != nil {
		errs.ErrorFormat = func(es []error) string { return errlist.Listed("merge: refusing to merge", es) }
	}
	return picks, errs.ErrorOrNil()
}

// mergeable says why a binary entry of a shard is not one of p's (binary,
// platform) pairs ("" when it is).
func mergeable(p *release.Plan, a artifact.Artifact) string {
	if why := p.Current(a); why != "" {
		return why
	}
	for _, b := range p.Binaries {
		if b.Name == a.Name && !b.On(a.Platform()) {
			return fmt.Sprintf("platform %s is not in this plan's matrix for %s (did the shard run with another KILN_MATRIX?)", a.Platform(), b.Name)
		}
	}
	return ""
}

// writeMerge copies every picked binary into a staging directory inside
// Out (hashing it again on the way: the bytes written are the bytes
// checked), then moves them into place and saves the manifest, every
// write through the output directory's Root. A failure takes back what it
// moved.
func writeMerge(ctx context.Context, p *release.Plan, h *outdir.Held, picks []pick) error {
	stage, err := h.Stage("merge")
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	defer h.Root.RemoveAll(stage)
	for _, pk := range picks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := artifact.Copy(pk.from.dir, pk.a, h.Root, path.Join(stage, pk.a.Path), 0o755); err != nil {
			return fmt.Errorf("merge: shard %s: %w", pk.from.name, err)
		}
	}
	m, err := artifact.LoadIn(h.Root)
	if err != nil {
		return err
	}
	p.Describe(m)
	rels := make([]string, len(picks))
	for i, pk := range picks {
		rels[i] = pk.a.Path
		a := pk.a
		a.Verify = nil
		m.Put(a)
	}
	moved, err := h.Commit(stage, rels)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if err := m.SaveIn(h.Root); err != nil {
		h.Undo(moved)
		return err
	}
	return nil
}

func orNone(s string) string { return cmp.Or(s, "none") }
