package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/evidence/audit"
	"github.com/kiln-build/kiln/evidence/bindiff"
	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/layout"
	"github.com/kiln-build/kiln/pack/archive"
	"github.com/kiln-build/kiln/pack/checksum"
)

// compareRelease compares every published file that the checksums file
// lists with the rebuilt one in out, and the provenance's parameters with
// the rebuild's. sourceGiven says --source replaced the recorded
// repository (so the rebuild's provenance names another source),
// toolchainSet that the rebuild set GOTOOLCHAIN to get the recorded Go.
func compareRelease(ctx context.Context, dir string, rep *audit.Report, out string, prov *provenance.Release, sourceGiven, toolchainSet bool) []audit.Result {
	var res []audit.Result
	add := func(file string, st audit.Status, format string, args ...any) {
		res = append(res, audit.Result{File: file, Claim: "rebuild", Status: st, Detail: fmt.Sprintf(format, args...)})
	}
	sums, err := readSmall(filepath.Join(dir, rep.Checksums), audit.MaxEvidence)
	var lines []provenance.Subject
	if err == nil {
		lines, err = checksum.Parse(sums)
	}
	if err != nil {
		add(rep.Checksums, audit.Failed, "%v", err)
		return res
	}
	for _, l := range lines {
		if ctx.Err() != nil {
			return res
		}
		published, err := safefile.Within(dir, l.Name)
		if err != nil {
			continue // not downloaded: the check said so
		}
		rebuilt := filepath.Join(out, filepath.FromSlash(l.Name))
		if _, err := os.Stat(rebuilt); errors.Is(err, fs.ErrNotExist) {
			add(l.Name, audit.NotChecked, "not rebuilt: the provenance does not record the settings that shape it (image, service unit, OS packages)")
			continue
		}
		a, _, errA := checksum.File(published)
		b, _, errB := checksum.File(rebuilt)
		switch {
		case errA != nil || errB != nil:
			add(l.Name, audit.Failed, "%v", errors.Join(errA, errB))
		case a == b:
			add(l.Name, audit.OK, "identical to the rebuild")
		default:
			add(l.Name, audit.Failed, "differs from the rebuild (sha256 %s, rebuilt %s)%s", a, b, explain(ctx, l.Name, published, rebuilt))
		}
	}
	if rep.Provenance != "" {
		st, detail := compareProvenance(prov, filepath.Join(out, rep.Provenance), sourceGiven, toolchainSet)
		add(rep.Provenance, st, "%s", detail)
	}
	return res
}

// explain says where a published file differs from its rebuild: the
// binary's differing sections, or an archive's differing entries.
func explain(ctx context.Context, name, published, rebuilt string) string {
	if layout.IsArchive(name) {
		return explainArchive(ctx, name, published, rebuilt)
	}
	d, err := bindiff.ExplainFiles(published, rebuilt)
	if err != nil {
		return "" // not a binary: the sha256 says it all
	}
	return ": " + oneLine(d.String())
}

// explainArchive compares two archives entry by entry.
func explainArchive(ctx context.Context, name, published, rebuilt string) string {
	tmp, err := os.MkdirTemp("", "kiln-compare-")
	if err != nil {
		return ": " + err.Error()
	}
	defer os.RemoveAll(tmp)
	unpack := func(path, sub string) (map[string]audit.Entry, error) {
		f, fi, err := safefile.Open(path, safefile.MaxSize)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		d := filepath.Join(tmp, sub)
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, err
		}
		entries, err := audit.Unpack(ctx, f, fi.Size(), name, d, audit.DefaultLimits)
		m := map[string]audit.Entry{}
		for _, e := range entries {
			m[e.Name] = e
		}
		return m, err
	}
	pub, err := unpack(published, "published")
	if err != nil {
		return ": the published archive: " + err.Error()
	}
	reb, err := unpack(rebuilt, "rebuilt")
	if err != nil {
		return ": the rebuilt archive: " + err.Error()
	}
	var diffs []string
	for _, n := range sortedKeys(pub) {
		e, r := pub[n], reb[n]
		switch {
		case r.Path == "":
			diffs = append(diffs, fmt.Sprintf("entry %s is not in the rebuild", n))
		case e.Mode != r.Mode:
			diffs = append(diffs, fmt.Sprintf("entry %s has mode %v, rebuilt %v", n, e.Mode, r.Mode))
		default:
			a, _, _ := checksum.File(e.Path)
			b, _, _ := checksum.File(r.Path)
			if a == b {
				continue
			}
			if d, err := bindiff.ExplainFiles(e.Path, r.Path); err == nil {
				diffs = append(diffs, fmt.Sprintf("entry %s: %s", n, oneLine(d.String())))
			} else {
				diffs = append(diffs, fmt.Sprintf("entry %s differs", n))
			}
		}
	}
	for _, n := range sortedKeys(reb) {
		if _, ok := pub[n]; !ok {
			diffs = append(diffs, fmt.Sprintf("the rebuild has an entry %s the published archive lacks", n))
		}
	}
	if len(diffs) == 0 {
		return ": the same files; the archive's own bytes differ (entry order, times, modes or compression)"
	}
	return ": " + strings.Join(diffs, "; ")
}

// compareProvenance compares the build's parameters and source as the
// published provenance and the rebuild's record them: above all each go
// build, whose arguments and build variables must be exactly the recorded
// ones (the subjects are compared file by file).
func compareProvenance(prov *provenance.Release, rebuilt string, sourceGiven, toolchainSet bool) (audit.Status, string) {
	data, err := readSmall(rebuilt, audit.MaxEvidence)
	var rp *provenance.Release
	if err == nil {
		rp, err = provenance.Read(data)
	}
	if err != nil {
		return audit.Failed, "the rebuild wrote no readable provenance: " + err.Error()
	}
	var diffs []string
	cmpField := func(what string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			diffs = append(diffs, fmt.Sprintf("%s: %+v, rebuilt %+v", what, a, b))
		}
	}
	pe, re := prov.External, rp.External
	if sourceGiven {
		pe.Repository, re.Repository = "", ""
	} else {
		cmpField("source", prov.Source.URI, rp.Source.URI)
	}
	cmpField("externalParameters", pe, re)
	cmpField("commit", prov.Source.Commit, rp.Source.Commit)
	cmpField("buildType", prov.BuildType, rp.BuildType)
	cmpField("goVersion", prov.Internal.GoVersion, rp.Internal.GoVersion)
	cmpField("cToolchains", prov.Internal.CToolchains, rp.Internal.CToolchains)
	diffs = append(diffs, compareBuilds(prov.Internal.Builds, rp.Internal.Builds, toolchainSet)...)
	if len(diffs) > 0 {
		return audit.Failed, "the rebuild's build differs: " + strings.Join(diffs, "; ")
	}
	return audit.OK, fmt.Sprintf("the rebuild ran the %d recorded go builds exactly (arguments and build variables), from the recorded source and commit",
		len(prov.Internal.Builds))
}

// compareBuilds lists how the go builds the rebuild ran differ from the
// recorded ones. toolchainSet leaves GOTOOLCHAIN out: the rebuild set it
// to get the recorded toolchain.
func compareBuilds(recorded, rebuilt []provenance.Build, toolchainSet bool) []string {
	env := func(b provenance.Build) []string {
		if !toolchainSet {
			return b.Env
		}
		return slices.DeleteFunc(slices.Clone(b.Env), func(kv string) bool { return strings.HasPrefix(kv, "GOTOOLCHAIN=") })
	}
	key := func(b provenance.Build) string { return b.Binary + " " + b.Platform }
	ran := map[string]provenance.Build{}
	for _, b := range rebuilt {
		ran[key(b)] = b
	}
	var diffs []string
	for _, b := range recorded {
		r, ok := ran[key(b)]
		delete(ran, key(b))
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("build %s: not rebuilt", key(b)))
		case !slices.Equal(b.Args, r.Args):
			diffs = append(diffs, fmt.Sprintf("build %s: go build %q, rebuilt with %q", key(b), b.Args, r.Args))
		case !slices.Equal(env(b), env(r)):
			diffs = append(diffs, fmt.Sprintf("build %s: environment %q, rebuilt with %q", key(b), b.Env, r.Env))
		}
	}
	for _, r := range rebuilt {
		if _, extra := ran[key(r)]; extra {
			diffs = append(diffs, fmt.Sprintf("build %s: rebuilt, but not recorded", key(r)))
		}
	}
	return diffs
}

func sortedKeys(m map[string]audit.Entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// oneLine puts a multi-line explanation on one line.
func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }

// publishedExtras are the extra files the published archives hold beyond
// the binaries and the default documents, as Config.Package.Extras
// patterns relative to the module; every one must be in the module.
func publishedExtras(ctx context.Context, dir string, rep *audit.Report, modDir string, binaries []string) ([]string, error) {
	defaults := map[string]bool{}
	for _, f := range archive.DefaultExtras(modDir) {
		defaults[f.Name] = true
	}
	tmp, err := os.MkdirTemp("", "kiln-extras-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var extras []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		n := e.Name()
		if _, ok := audit.ArchivePlatform(strings.TrimSuffix(rep.Checksums, layout.ChecksumsSuffix), n); !ok {
			continue
		}
		f, fi, err := safefile.OpenWithin(dir, n, safefile.MaxSize)
		if err != nil {
			return nil, err
		}
		d, err := os.MkdirTemp(tmp, "a-")
		if err != nil {
			f.Close()
			return nil, err
		}
		entries, err := audit.Unpack(ctx, f, fi.Size(), n, d, audit.DefaultLimits)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		for _, en := range entries {
			if slices.Contains(binaries, strings.TrimSuffix(en.Name, ".exe")) || defaults[en.Name] || slices.Contains(extras, en.Name) {
				continue // a binary, or a document the package stage adds anyway
			}
			if _, err := archive.Extras(modDir, []string{en.Name}); err != nil {
				return nil, fmt.Errorf("%s holds %s, which the source at the commit lacks: %w", n, en.Name, err)
			}
			extras = append(extras, en.Name)
		}
	}
	slices.Sort(extras)
	return extras, nil
}
