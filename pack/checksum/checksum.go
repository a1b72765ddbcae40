// Package checksum is the one reader and writer of a release's checksums
// file, in the format of `sha256sum` (text mode), so `sha256sum -c` checks
// it:
//
//	<64 lowercase hex digits><space><space><name>\n
//
// one line per file, names relative to the file's directory with forward
// slashes, sorted by name, each listed once. A name holding a backslash or
// a newline is escaped as sha256sum escapes it: the line starts with a
// backslash, and "\\" and "\n" stand for them. Parse reads the same
// format strictly and also takes binary mode (" *" before the name). File
// and Sum are kiln's one way to hash a file.
package checksum

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
// file is a path relative to dir or an absolute path inside dir. All
// unreadable or misplaced files are reported together.
func Write(path, dir string, files []string) error {
	if len(files) == 0 {
		return fmt.Errorf("checksums %s: no files", path)
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("checksums %s: %w", path, err)
	}
	var lines []Line
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
		sum, _, err := File(filepath.Join(absDir, filepath.FromSlash(name)))
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		lines = append(lines, Line{Name: name, SHA256: sum})
	}
	if err := errs.ErrorOrNil(); err != nil {
		return fmt.Errorf("checksums %s: %w", path, err)
	}
	data, err := Format(lines)
	if err != nil {
		return fmt.Errorf("checksums %s: %w", path, err)
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// relName returns f's slash name relative to dir, or an error when it lies
// outside dir.
func relName(dir, f string) (string, error) {
	p := f
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s: not a file inside %s", f, dir)
	}
	return filepath.ToSlash(rel), nil
}

// Sum returns the hex SHA-256 and the length of what r holds.
func Sum(r io.Reader) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, r)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// File returns the hex SHA-256 and the size of the file at path.
func File(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	sum, n, err := Sum(f)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", path, err)
	}
	return sum, n, nil
}

// Verify re-hashes every file listed in the checksums file at path, names
// taken relative to dir. Every malformed line (*LineError), missing file
// and mismatch (*MismatchError) is reported in one error.
func Verify(path, dir string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("verify checksums: %w", err)
	}
	var errs *multierror.Error
	lines, err := Parse(data)
	if err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = multierror.Append(errs, j.Unwrap()...)
		} else {
			errs = multierror.Append(errs, err)
		}
	}
	for _, l := range lines {
		got, _, err := File(filepath.Join(dir, filepath.FromSlash(l.Name)))
		switch {
		case err != nil:
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", l.Name, err))
		case got != l.SHA256:
			errs = multierror.Append(errs, &MismatchError{Name: l.Name, Want: l.SHA256, Got: got})
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return fmt.Errorf("verify checksums %s: %w", path, err)
	}
	return nil
}
