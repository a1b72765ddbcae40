package audit

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/layout"
	"github.com/kiln-build/kiln/pack/checksum"
)

// checksums checks every line of the checksums file against its file.
func (a *auditor) checksums() {
	name := a.rel.checksums
	data, err := a.read(name, MaxEvidence)
	if err != nil {
		a.add(name, "sha256", Failed, "unreadable: %v", err)
		return
	}
	// The parser reports every bad line; a file with any is not trusted.
	lines, err := checksum.Parse(data)
	if err != nil {
		a.add(name, "sha256", Failed, "not a sha256sum checksums file: %v", err)
		return
	}
	a.lines = lines
	for _, l := range lines {
		if err := a.ctx.Err(); err != nil {
			return
		}
		if err := safefile.CheckRel(l.Name); err != nil {
			a.add(name, "sha256", Failed, "lists %q: %v", l.Name, err)
			continue
		}
		got, err := a.hash(l.Name)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			a.add(l.Name, "sha256", NotChecked, "not in the directory (not downloaded)")
		case err != nil:
			a.add(l.Name, "sha256", Failed, "%v", err)
		case got != l.SHA256:
			a.add(l.Name, "sha256", Failed, "sha256 %s, but %s lists %s", got, name, l.SHA256)
		default:
			a.add(l.Name, "sha256", OK, "as %s lists", name)
		}
	}
}

// hash returns the sha256 of a published file.
func (a *auditor) hash(name string) (string, error) {
	f, _, err := safefile.OpenWithin(a.rel.dir, name, safefile.MaxSize)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sum, _, err := checksum.Sum(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	return sum, nil
}

// listed returns the checksums file's sha256 of name, if it lists it.
func (a *auditor) listed(name string) (string, bool) {
	for _, l := range a.lines {
		if l.Name == name {
			return l.SHA256, true
		}
	}
	return "", false
}

// unlisted reports the release files in the directory that the checksums
// file does not vouch for: archives and SBOMs fail (their checks would
// vouch for something nobody signed); other files are noted.
func (a *auditor) unlisted() {
	if a.lines == nil {
		return // the checksums file failed already
	}
	for _, f := range a.rel.files {
		if _, ok := a.listed(f); ok || a.isEvidence(f) || strings.HasPrefix(f, ".") || f == "artifacts.json" {
			continue
		}
		if layout.IsArchive(f) || strings.HasSuffix(f, layout.SBOMSuffix) {
			a.add(f, "sha256", Failed, "%s does not list it: nothing vouches for this file", a.rel.checksums)
			continue
		}
		a.add(f, "sha256", NotChecked, "%s does not list it", a.rel.checksums)
	}
}

// isEvidence reports whether f is the checksums file, the provenance or a
// bundle: files that vouch for others rather than being listed.
func (a *auditor) isEvidence(f string) bool {
	return f == a.rel.checksums || f == a.rel.provenance || strings.HasSuffix(f, layout.BundleSuffix)
}

// readAll reads r up to max bytes; more is an error.
func readAll(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes", max)
	}
	return data, nil
}
