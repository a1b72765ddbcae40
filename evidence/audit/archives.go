package audit

import (
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/evidence/sbom"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/layout"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/checksum"
	"github.com/kiln-build/kiln/verify"
)

// ArchivePlatform returns the platform an archive's name claims:
// "<prefix>_<os>_<arch>[_<variant>].tar.gz" or ".zip".
func ArchivePlatform(prefix, name string) (matrix.Platform, bool) {
	slug, ok := strings.CutPrefix(name, prefix+"_")
	if !ok {
		return matrix.Platform{}, false
	}
	for _, ext := range layout.ArchiveExts {
		if s, ok := strings.CutSuffix(slug, ext); ok {
			parts := strings.Split(s, "_")
			if len(parts) < 2 || len(parts) > 3 {
				return matrix.Platform{}, false
			}
			p, err := matrix.Parse(strings.Join(parts, "/"))
			return p, err == nil && p.Slug() == s
		}
	}
	return matrix.Platform{}, false
}

// SBOMName is the SBOM kiln publishes for a binary of a platform, named
// by the release's prefix ("<project>_<version>", what layout makes of a
// project without a version).
func SBOMName(prefix string, p matrix.Platform, binary string) string {
	return layout.Names{Project: prefix}.SBOMPath(binary, p)
}

// archives checks the binaries of every archive in the directory.
func (a *auditor) archives() error {
	tmp, err := os.MkdirTemp("", "kiln-check-")
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer os.RemoveAll(tmp)
	described := map[string]bool{} // SBOMs matched to an archived binary
	for _, name := range a.rel.files {
		if !layout.IsArchive(name) {
			continue
		}
		if err := a.ctx.Err(); err != nil {
			return err
		}
		pl, ok := ArchivePlatform(a.rel.prefix, name)
		if !ok {
			a.add(name, "platform", NotChecked, "its name is not %s_<os>_<arch>[_<variant>] and a .tar.gz or .zip: no platform claimed", a.rel.prefix)
			continue
		}
		dir, err := os.MkdirTemp(tmp, "archive-")
		if err != nil {
			return fmt.Errorf("check: %w", err)
		}
		entries, err := a.unpack(name, dir)
		if err != nil {
			a.add(name, "contents", Failed, "%v", err)
			continue
		}
		binaries := 0
		for _, e := range entries {
			if a.binary(name, pl, e, described) {
				binaries++
			}
		}
		if binaries == 0 {
			a.add(name, "contents", Failed, "holds no executable")
		}
		os.RemoveAll(dir)
	}
	// An SBOM of this release that no archived binary matched.
	for _, f := range a.rel.files {
		if strings.HasSuffix(f, layout.SBOMSuffix) && strings.HasPrefix(f, a.rel.prefix+"_") && !described[f] {
			a.add(f, "sbom", NotChecked, "no archive here holds the binary it describes")
		}
	}
	return nil
}

// unpack unpacks a published archive into dir.
func (a *auditor) unpack(name, dir string) ([]Entry, error) {
	f, fi, err := safefile.OpenWithin(a.rel.dir, name, safefile.MaxSize)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Unpack(a.ctx, f, fi.Size(), name, dir, DefaultLimits)
}

// binary checks one archived file if it is an executable, and reports
// whether it was.
func (a *auditor) binary(archive string, pl matrix.Platform, e Entry, described map[string]bool) bool {
	f, err := os.Open(e.Path)
	if err != nil {
		a.add(archive+"!"+e.Name, "contents", Failed, "%v", err)
		return false
	}
	defer f.Close()
	rep, err := verify.Read(f)
	if errors.Is(err, verify.ErrNotExecutable) {
		return false // a document: README, LICENSE, ...
	}
	file := archive + "!" + e.Name
	if err != nil {
		a.add(file, "platform", Failed, "%v", err)
		return true
	}
	sum, _, err := checksum.Sum(io.NewSectionReader(f, 0, e.Size))
	if err != nil {
		a.add(file, "sha256", Failed, "%v", err)
		return true
	}
	bin := strings.TrimSuffix(path.Base(e.Name), ".exe")

	// The checksums file lists the binary itself too, in its platform's
	// directory: the archived copy must be that binary.
	if want, ok := a.listed(a.project() + "_" + pl.Slug() + "/" + path.Base(e.Name)); ok {
		if want != sum {
			a.add(file, "sha256", Failed, "sha256 %s, but %s lists %s for %s", sum, a.rel.checksums, want, bin)
		} else {
			a.add(file, "sha256", OK, "the binary %s lists", a.rel.checksums)
		}
	}

	a.platform(file, pl, rep)
	if err := rep.StaticError(); err != nil {
		a.add(file, "static", Failed, "%v", err)
	} else {
		a.add(file, "static", OK, "%s: %s", rep.Format, staticWhat(rep))
	}
	bi, biErr := buildinfo.Read(f)
	a.build(file, bin, bi, biErr)

	sbomName := SBOMName(a.rel.prefix, pl, bin)
	described[sbomName] = true
	switch _, listed := a.listed(sbomName); {
	case a.rel.has(sbomName):
	case listed:
		a.add(file, "sbom", NotChecked, "%s is not in the directory (not downloaded)", sbomName)
		return true
	default:
		a.add(file, "sbom", Failed, "no SBOM: %s lists no %s", a.rel.checksums, sbomName)
		return true
	}
	doc, err := a.read(sbomName, MaxEvidence)
	switch {
	case err != nil:
		a.add(sbomName, "sbom", Failed, "%v", err)
	case biErr != nil:
		a.add(sbomName, "sbom", Failed, "%s has no Go build info to check it against: %v", file, biErr)
	default:
		if err := sbom.Check(doc, sum, bi); err != nil {
			a.add(sbomName, "sbom", Failed, "does not describe %s: %s", file, oneLine(err))
		} else {
			a.add(sbomName, "sbom", OK, "describes %s: sha256 and modules", file)
		}
	}
	return true
}

// platform checks the format, OS, arch and build info platform against
// the archive's claim.
func (a *auditor) platform(file string, pl matrix.Platform, rep *verify.Report) {
	var bad []string
	if want := formatOf(pl.OS); !slices.Contains(want, rep.Format) {
		bad = append(bad, fmt.Sprintf("format: file is %s, want %s", rep.Format, strings.Join(want, " or ")))
	}
	if err := verify.Check(rep, verify.Expect{Platform: pl}); err != nil {
		bad = append(bad, oneLine(errors.Unwrap(err))) // without verify's "binary filed under"
	}
	if len(bad) > 0 {
		a.add(file, "platform", Failed, "filed under %s: %s", pl, strings.Join(bad, "; "))
		return
	}
	a.add(file, "platform", OK, "%s %s", rep.Format, pl)
}

// build checks the binary's main package and tags against the
// provenance's binary of that name.
func (a *auditor) build(file, bin string, bi *buildinfo.BuildInfo, biErr error) {
	if a.prov == nil {
		return
	}
	if biErr != nil {
		a.add(file, "build", Failed, "no Go build info: %v", biErr)
		return
	}
	for _, b := range a.prov.External.Binaries {
		if b.Name != bin {
			continue
		}
		var bad []string
		if bi.Path != b.Main {
			bad = append(bad, fmt.Sprintf("main package %s, the provenance says %s", bi.Path, b.Main))
		}
		var tags []string
		for _, s := range bi.Settings {
			if s.Key == "-tags" {
				tags = strings.Split(s.Value, ",")
			}
		}
		for _, t := range b.Tags {
			if !slices.Contains(tags, t) {
				bad = append(bad, fmt.Sprintf("built without tag %s, which the provenance records", t))
			}
		}
		if len(bad) > 0 {
			a.add(file, "build", Failed, "%s", strings.Join(bad, "; "))
		} else {
			a.add(file, "build", OK, "%s, as the provenance says", b.Main)
		}
		return
	}
	a.add(file, "build", Failed, "the provenance lists no binary %s", bin)
}

// formatOf is the executable format of an OS.
func formatOf(goos string) []string {
	switch goos {
	case "windows":
		return []string{"pe"}
	case "darwin", "ios":
		return []string{"macho", "macho-universal"}
	}
	return []string{"elf"}
}

func staticWhat(r *verify.Report) string {
	if len(r.Needed) == 0 {
		return "loads no library"
	}
	return "loads only system libraries (" + strings.Join(r.Needed, ", ") + ")"
}

// oneLine is an error on one line: the errors of a multierror or of
// errors.Join separated by "; ".
func oneLine(err error) string {
	var me *multierror.Error
	var errs []error
	switch j, ok := err.(interface{ Unwrap() []error }); {
	case errors.As(err, &me):
		errs = me.Errors
	case ok:
		errs = j.Unwrap()
	default:
		return strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = oneLine(e)
	}
	return strings.Join(parts, "; ")
}
