// Package audit checks a release from its published files alone, as the
// people who download it have them: no magefile, no repository, no
// manifest. Given a directory holding some or all of a kiln release —
// archives (.tar.gz, .zip), <project>_<version>_checksums.txt, the SBOMs
// (*.spdx.json), the provenance (<project>_<version>.intoto.json) and
// Sigstore bundles (<file>.sigstore.json) — Dir checks every claim those
// files make:
//
//   - sha256: every file the checksums file lists, that is here, has the
//     listed sha256; a release file (archive, SBOM) that it does not list
//     is a failure;
//   - signature: each bundle verifies with the given public key; with a
//     key, the checksums file and the provenance must have one;
//   - subjects: the provenance's subjects are exactly the checksums file's
//     lines (names and digests);
//   - source: the provenance's repository and commit are the ones the user
//     expects, when the user says which;
//   - per binary inside each archive, read in a private temporary
//     directory (no entry name becomes a path, sizes bounded, only regular
//     files): its sha256 equals the checksums file's line for it; its SBOM
//     describes it (sha256, main module, Go version and exactly its
//     modules, from its own build info: sbom.Check); it is of the format,
//     OS and arch its archive's name claims (verify.Check); it is static by
//     kiln's policy (verify's Report.StaticError); its main package and
//     tags are the provenance's.
//
// A file the checksums file lists but the directory lacks (not downloaded)
// is not a failure: it is reported as not checked. Every result is a
// Result row naming the file; Report.Failed lists the failures.
package audit

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/evidence/sigcheck"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/layout"
)

// Options say what the user expects of the release.
type Options struct {
	// Key verifies the signature bundles; nil leaves them unchecked (each
	// is reported as not checked).
	Key *ecdsa.PublicKey
	// Repo and Commit, when set, are the source the provenance must name:
	// a repository URL or path ("https://github.com/org/app",
	// "github.com/org/app") and a full commit hash or a prefix of at least
	// 7 hex digits.
	Repo, Commit string
}

// Status is a check's outcome.
type Status string

// The outcomes of a check.
const (
	OK         Status = "ok"
	Failed     Status = "FAIL"
	NotChecked Status = "not checked"
)

// Result is one claim checked.
type Result struct {
	// File is the published file the claim is about; a binary inside an
	// archive is "<archive>!<entry>".
	File string `json:"file"`
	// Claim names what was checked: "sha256", "signature", "subjects",
	// "source", "sbom", "platform", "static", "build".
	Claim  string `json:"claim"`
	Status Status `json:"status"`
	// Detail says what was found: the failure, or why it was not checked.
	Detail string `json:"detail,omitempty"`
}

// Report is every claim checked in one directory.
type Report struct {
	Dir string `json:"dir"`
	// Project is the release's project name, from the checksums file's
	// name ("<project>_<version>_checksums.txt").
	Project string `json:"project"`
	// Checksums and Provenance are the file names found ("" for none).
	Checksums  string `json:"checksums"`
	Provenance string `json:"provenance,omitempty"`
	// Source is the provenance's repository and commit, when it has them.
	Repository string   `json:"repository,omitempty"`
	Commit     string   `json:"commit,omitempty"`
	Results    []Result `json:"results"`
	// OK is true when no claim failed.
	OK bool `json:"ok"`
}

// Failed returns the failed results.
func (r *Report) Failed() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == Failed {
			out = append(out, res)
		}
	}
	return out
}

// Err is nil when every claim held, else one error listing each failed
// claim with its file.
func (r *Report) Err() error {
	failed := r.Failed()
	if len(failed) == 0 {
		return nil
	}
	lines := make([]string, len(failed))
	for i, f := range failed {
		lines[i] = fmt.Sprintf("  %s: %s: %s", f.File, f.Claim, f.Detail)
	}
	return fmt.Errorf("%d claim(s) of the release in %s failed:\n%s", len(failed), r.Dir, strings.Join(lines, "\n"))
}

// MaxEvidence bounds the checksums file, an SBOM, the provenance and a
// bundle as Dir reads them.
const MaxEvidence = 64 << 20

// Dir checks the release in dir. The error is for a directory Dir cannot
// check at all (unreadable, no checksums file, several releases); failed
// claims are in the Report (see Report.Err).
func Dir(ctx context.Context, dir string, opts Options) (*Report, error) {
	rel, err := discover(dir)
	if err != nil {
		return nil, err
	}
	a := &auditor{ctx: ctx, rel: rel, opts: opts,
		rep: &Report{Dir: dir, Checksums: rel.checksums, Provenance: rel.provenance}}
	if opts.Key != nil {
		if a.verifier, err = sigcheck.NewVerifier(opts.Key); err != nil {
			return nil, err
		}
	}
	a.checksums()
	a.signatures()
	a.provenance()
	if err := a.archives(); err != nil {
		return nil, err
	}
	a.unlisted()
	a.rep.Project = a.project()
	a.rep.OK = len(a.rep.Failed()) == 0
	return a.rep, ctx.Err()
}

// auditor gathers the results of one Dir call.
type auditor struct {
	ctx      context.Context
	rel      *release
	opts     Options
	verifier *sigcheck.Verifier
	rep      *Report
	// lines are the checksums file's lines (nil when unreadable), prov
	// the parsed provenance (nil when absent or unreadable).
	lines []provenance.Subject
	prov  *provenance.Release
}

func (a *auditor) add(file, claim string, st Status, detail string, args ...any) {
	if len(args) > 0 {
		detail = fmt.Sprintf(detail, args...)
	}
	a.rep.Results = append(a.rep.Results, Result{File: file, Claim: claim, Status: st, Detail: detail})
}

// read reads a published file by its name relative to the directory:
// regular, inside the directory after symlinks, at most max bytes.
func (a *auditor) read(name string, max int64) ([]byte, error) {
	f, _, err := safefile.OpenWithin(a.rel.dir, name, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := readAll(f, max)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// project is the release's project name: the name prefix without
// "_<version>" (the provenance's version, else the last "_" element when
// it looks like a version).
func (a *auditor) project() string {
	p := a.rel.prefix
	if a.prov != nil {
		if proj, ok := strings.CutSuffix(p, "_"+strings.TrimPrefix(a.prov.External.Version, "v")); ok {
			return proj
		}
	}
	if i := strings.LastIndex(p, "_"); i > 0 && i+1 < len(p) && p[i+1] >= '0' && p[i+1] <= '9' {
		return p[:i]
	}
	return p
}

// release is what the directory holds, by kiln's file names.
type release struct {
	dir string
	// prefix is "<project>_<version>" (or "<project>"), the start of every
	// release file's name.
	prefix     string
	checksums  string
	provenance string // "" when absent
	// files are the regular files directly in dir, sorted.
	files []string
}

// discover finds the checksums file, and so the release's name prefix.
func discover(dir string) (*release, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	rel := &release{dir: dir}
	var sums []string
	for _, e := range entries {
		if !e.Type().IsRegular() && e.Type()&os.ModeSymlink == 0 {
			continue
		}
		rel.files = append(rel.files, e.Name())
		if strings.HasSuffix(e.Name(), layout.ChecksumsSuffix) {
			sums = append(sums, e.Name())
		}
	}
	switch len(sums) {
	case 0:
		return nil, fmt.Errorf("check: no *%s in %s: download the release's checksums file with its other files", layout.ChecksumsSuffix, dir)
	case 1:
	default:
		return nil, fmt.Errorf("check: %s holds %d releases' checksums files (%s): put each release in its own directory", dir, len(sums), strings.Join(sums, ", "))
	}
	rel.checksums = sums[0]
	rel.prefix = strings.TrimSuffix(rel.checksums, layout.ChecksumsSuffix)
	if p := rel.prefix + layout.ProvenanceSuffix; slices.Contains(rel.files, p) {
		rel.provenance = p
	}
	return rel, nil
}

// has reports whether name is a regular file directly in the directory.
func (r *release) has(name string) bool {
	_, ok := slices.BinarySearch(r.files, name)
	return ok
}

// path is the directory path of a published name.
func (r *release) path(name string) string {
	return filepath.Join(r.dir, filepath.FromSlash(name))
}
