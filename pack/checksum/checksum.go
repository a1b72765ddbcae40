// Package checksum writes and verifies a release's checksums file in the
// format of `sha256sum` (text mode), so `sha256sum -c` checks it:
//
//	<64 lowercase hex digits><space><space><name>\n
//
// one line per file, names relative to the file's directory with forward
// slashes, sorted by name.
package checksum

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/internal/atomicfile"
)

// MismatchError reports a file whose content does not match its checksum.
type MismatchError struct {
	Name      string // as listed in the checksums file
	Want, Got string // hex SHA-256
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("%s: sha256 mismatch: listed %s, file has %s", e.Name, e.Want, e.Got)
}

// Write hashes files and writes their checksums to path atomically. Each
// file is a path relative to dir or an absolute path inside dir; names must
// not contain newlines or backslashes (sha256sum would escape them). All
// unreadable or misplaced files are reported together.
func Write(path, dir string, files []string) error {
	if len(files) == 0 {
		return fmt.Errorf("checksums %s: no files", path)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("checksums %s: %w", path, err)
	}
	type line struct{ name, sum string }
	var lines []line
	var errs *multierror.Error
	seen := map[string]bool{}
	for _, f := range files {
		name, err := relName(absDir, f)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		sum, err := hashFile(filepath.Join(absDir, filepath.FromSlash(name)))
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		lines = append(lines, line{name, sum})
	}
	if err := errs.ErrorOrNil(); err != nil {
		return fmt.Errorf("checksums %s: %w", path, err)
	}
	slices.SortFunc(lines, func(a, b line) int { return cmp.Compare(a.name, b.name) })
	var buf bytes.Buffer
	for _, l := range lines {
		fmt.Fprintf(&buf, "%s  %s\n", l.sum, l.name)
	}
	return atomicfile.WriteFile(path, buf.Bytes(), 0o644)
}

// relName returns f's slash name relative to dir, or an error when it lies
// outside dir or cannot be written in the format.
func relName(dir, f string) (string, error) {
	p := f
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: not a file inside %s", f, dir)
	}
	name := filepath.ToSlash(rel)
	if strings.ContainsAny(name, "\n\r\\") {
		return "", fmt.Errorf("%q: name contains a newline or backslash", name)
	}
	return name, nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Verify re-hashes every file listed in the checksums file at path, names
// taken relative to dir. Every malformed line, missing file and mismatch
// (*MismatchError) is reported in one error; a listed name that leaves dir
// is malformed.
func Verify(path, dir string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("verify checksums: %w", err)
	}
	var errs *multierror.Error
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for i := 1; sc.Scan(); i++ {
		if sc.Text() == "" {
			continue
		}
		want, name, ok := parseLine(sc.Text())
		if !ok {
			errs = multierror.Append(errs, fmt.Errorf("%s:%d: malformed line %q", path, i, sc.Text()))
			continue
		}
		n++
		got, err := hashFile(filepath.Join(dir, filepath.FromSlash(name)))
		switch {
		case err != nil:
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", name, err))
		case got != want:
			errs = multierror.Append(errs, &MismatchError{Name: name, Want: want, Got: got})
		}
	}
	if err := sc.Err(); err != nil {
		errs = multierror.Append(errs, fmt.Errorf("%s: %w", path, err))
	}
	if n == 0 && errs.ErrorOrNil() == nil {
		errs = multierror.Append(errs, fmt.Errorf("%s: no checksum lines", path))
	}
	if err := errs.ErrorOrNil(); err != nil {
		return fmt.Errorf("verify checksums %s: %w", path, err)
	}
	return nil
}

// parseLine splits "<hex>  <name>" (or "<hex> *<name>", binary mode).
func parseLine(s string) (sum, name string, ok bool) {
	if len(s) < 64+2+1 || (s[64:66] != "  " && s[64:66] != " *") {
		return "", "", false
	}
	sum, name = strings.ToLower(s[:64]), s[66:]
	if _, err := hex.DecodeString(sum); err != nil || !fs.ValidPath(name) {
		return "", "", false
	}
	return sum, name, true
}
