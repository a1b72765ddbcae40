package universal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/matrix"
)

var (
	// Platforms are the platforms a universal binary joins, in the order
	// of its parts: darwin/amd64 and darwin/arm64.
	Platforms = []matrix.Platform{{OS: "darwin", Arch: "amd64"}, {OS: "darwin", Arch: "arm64"}}
	// Platform files a universal binary: darwin/universal.
	Platform = matrix.Platform{OS: "darwin", Arch: "universal"}
)

// Binary is one binary's universal file in a kiln manifest (package
// artifact): where its builds and its universal file are filed, and which
// entries the caller takes for its current builds.
type Binary struct {
	// Name is the binary's name.
	Name string
	// Path is where the binary's build for a platform is filed, relative
	// to the output directory; Path(Platform) is its universal file.
	Path func(matrix.Platform) string
	// Current says why an entry is not one of the caller's current builds
	// ("" when it is).
	Current func(artifact.Artifact) string
}

// entry is the manifest's entry at path.
func entry(m *artifact.Manifest, path string) (artifact.Artifact, bool) {
	for _, a := range m.Artifacts {
		if a.Path == path {
			return a, true
		}
	}
	return artifact.Artifact{}, false
}

// key identifies a universal binary by the builds it joins.
func key(parts []artifact.Artifact) string {
	h := sha256.New()
	fmt.Fprintf(h, "kiln-universal-1\n")
	for _, a := range parts {
		fmt.Fprintf(h, "%s %s\n", a.Platform(), a.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Parts returns b's current builds in the manifest, one per platform in
// Platforms order, or why they cannot be joined: one is not built, or not
// current.
func (b Binary) Parts(m *artifact.Manifest) ([]artifact.Artifact, string) {
	var out []artifact.Artifact
	for _, pl := range Platforms {
		a, ok := entry(m, b.Path(pl))
		if !ok || a.Kind != artifact.Binary {
			return nil, fmt.Sprintf("%s %s is not built", b.Name, pl)
		}
		if why := b.Current(a); why != "" {
			return nil, fmt.Sprintf("%s %s: %s", b.Name, pl, why)
		}
		out = append(out, a)
	}
	return out, ""
}

// Joined returns b's universal binary in the manifest, if it has one.
func (b Binary) Joined(m *artifact.Manifest) (artifact.Artifact, bool) {
	a, ok := entry(m, b.Path(Platform))
	if !ok || a.Kind != artifact.Universal {
		return artifact.Artifact{}, false
	}
	return a, true
}

// Joins returns the builds the universal binary a joins, b's current
// builds in the manifest (see Parts), or why a does not join them.
func (b Binary) Joins(m *artifact.Manifest, a artifact.Artifact) ([]artifact.Artifact, string) {
	parts, why := b.Parts(m)
	if why == "" && key(parts) != a.Key {
		why = "it joins other builds of darwin/amd64 and darwin/arm64 than the manifest's"
	}
	return parts, why
}

// Join joins the files of parts in dir (b's builds: see Parts) into b's
// universal file and returns its manifest entry, which carries what both
// builds share (main package, version, commit, cgo and static when both
// are, the tags they have in common) and a Key identifying the builds it
// joins. Each part's file must have the bytes its entry records. When the
// manifest's universal entry is current, joins these builds and its file
// is intact, Join writes nothing and returns that entry, joined false.
func (b Binary) Join(dir string, m *artifact.Manifest, parts []artifact.Artifact) (a artifact.Artifact, joined bool, err error) {
	rel := b.Path(Platform)
	k := key(parts)
	if old, ok := b.Joined(m); ok && old.Key == k && b.Current(old) == "" {
		if got, err := artifact.Describe(dir, old); err == nil && got.SHA256 == old.SHA256 && got.Size == old.Size {
			return old, false, nil
		}
	}
	if len(parts) != len(Platforms) {
		return artifact.Artifact{Path: rel}, false, fmt.Errorf("%s: %d builds to join, want %d (%v)", rel, len(parts), len(Platforms), Platforms)
	}
	data := make([][]byte, len(parts))
	for i, s := range parts {
		if data[i], err = readChecked(dir, s); err != nil {
			return artifact.Artifact{Path: rel}, false, err
		}
	}
	root, err := safefile.OpenRoot(dir)
	if err != nil {
		return artifact.Artifact{Path: rel}, false, err
	}
	defer root.Close()
	err = root.WriteAtomic(rel, 0o755, func(w io.Writer) error {
		_, err := Join(w, data...)
		return err
	})
	if err != nil {
		return artifact.Artifact{Path: rel}, false, err
	}
	amd, arm := parts[0], parts[1]
	a, err = artifact.Describe(dir, artifact.Artifact{Path: rel, Kind: artifact.Universal, Name: b.Name,
		OS: Platform.OS, Arch: Platform.Arch, Main: amd.Main, Version: amd.Version, Commit: amd.Commit,
		Key: k, Cgo: amd.Cgo && arm.Cgo, Static: amd.Static && arm.Static, Tags: commonTags(amd.Tags, arm.Tags)})
	return a, err == nil, err
}

// readChecked reads the file of an entry, refusing bytes other than the
// ones it records: the bytes joined are the bytes checked.
func readChecked(dir string, a artifact.Artifact) ([]byte, error) {
	data, sum, size, err := artifact.ReadAll(dir, a, MaxSize)
	if err == nil && (sum != a.SHA256 || size != a.Size) {
		err = fmt.Errorf("%s: sha256 %s does not match the manifest's %s: the file changed after it was built (run crossall again)", a.Path, sum, a.SHA256)
	}
	return data, err
}

// commonTags are the tags both builds have.
func commonTags(a, b []string) []string {
	var out []string
	for _, t := range a {
		if slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}

// Result is what JoinAll did with one binary.
type Result struct {
	// Name is the binary's name; Path its universal file (relative to the
	// output directory) and Size its size, as the manifest records them.
	Name, Path string
	Size       int64
	// Duration is how long the join (or the check that it is up to date)
	// took.
	Duration time.Duration
	// Joined: the universal file was written; false when it was up to
	// date, or when Err is set.
	Joined bool
	Err    error
}

// JoinAll joins each binary's builds in the manifest of the output
// directory dir (see Binary.Join), skipping a binary whose builds are
// not both there and current (see Parts: a failed build, reported
// elsewhere, or the other shard's half), and passes each result to
// report. It records the new entries and saves the manifest when one
// changed. Each failure is named "<binary> darwin/universal: "; the
// others still join.
func JoinAll(ctx context.Context, dir string, bins []Binary, report func(Result)) error {
	m, err := artifact.Load(dir)
	if err != nil {
		return err
	}
	var errs *multierror.Error
	changed := false
	for _, b := range bins {
		if err := ctx.Err(); err != nil {
			return err
		}
		parts, why := b.Parts(m)
		if why != "" {
			continue // a failed build (reported) or the other shard's half
		}
		start := time.Now()
		a, joined, err := b.Join(dir, m, parts)
		res := Result{Name: b.Name, Path: a.Path, Size: a.Size, Duration: time.Since(start), Err: err}
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s %s: %w", b.Name, Platform, err))
		} else if joined {
			res.Joined = true
			m.Put(a)
			changed = true
		}
		report(res)
	}
	if changed {
		if err := m.Save(dir); err != nil {
			return multierror.Append(errs, err)
		}
	}
	return errs.ErrorOrNil()
}
