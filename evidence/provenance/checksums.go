package provenance

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// A Subject is one released file: its name as listed in the checksums
// file and its sha256 in lowercase hex.
type Subject struct {
	Name   string
	SHA256 string
}

// A LineError is a checksums file line that is not "<sha256>  <name>".
type LineError struct {
	Line int    // 1-based
	Text string // the line as read
	Err  error
}

func (e *LineError) Error() string {
	return fmt.Sprintf("checksums line %d %q: %v", e.Line, e.Text, e.Err)
}

func (e *LineError) Unwrap() error { return e.Err }

// SubjectsFromChecksums returns the subjects listed by a sha256sum
// checksums file, in file order, one per line: "<64 hex digits>  <name>"
// (text mode) or "<64 hex digits> *<name>" (binary mode), names escaped as
// sha256sum escapes them when the line starts with a backslash. Empty
// lines are skipped. Every malformed line is reported, each a *LineError
// naming it, as is a name listed twice.
func SubjectsFromChecksums(data []byte) ([]Subject, error) {
	var subjects []Subject
	var errs []error
	seen := map[string]int{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSuffix(string(line), "\r")
		if text == "" {
			continue
		}
		s, err := parseLine(text)
		if err == nil && seen[s.Name] > 0 {
			err = fmt.Errorf("%s is also listed on line %d", s.Name, seen[s.Name])
		}
		if err != nil {
			errs = append(errs, &LineError{Line: i + 1, Text: text, Err: err})
			continue
		}
		seen[s.Name] = i + 1
		subjects = append(subjects, s)
	}
	if len(subjects) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("checksums: no files listed"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return subjects, nil
}

func parseLine(text string) (Subject, error) {
	escaped := strings.HasPrefix(text, `\`)
	if escaped {
		text = text[1:]
	}
	if len(text) < 66 {
		return Subject{}, errors.New(`want "<sha256>  <name>"`)
	}
	sum, sep, name := text[:64], text[64:66], text[66:]
	if !isHex(sum) {
		return Subject{}, errors.New("the sha256 is not 64 lowercase hex digits")
	}
	if sep != "  " && sep != " *" {
		return Subject{}, errors.New(`want two spaces (or " *") between the sha256 and the name`)
	}
	if escaped {
		var ok bool
		if name, ok = unescape(name); !ok {
			return Subject{}, errors.New("bad escape in the name")
		}
	}
	if name == "" {
		return Subject{}, errors.New("no file name")
	}
	return Subject{Name: name, SHA256: sum}, nil
}

// unescape undoes sha256sum's escaping of "\\" and "\n" in names.
func unescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 == len(s) {
			return "", false
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 'n':
			b.WriteByte('\n')
		default:
			return "", false
		}
	}
	return b.String(), true
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('0' <= s[i] && s[i] <= '9' || 'a' <= s[i] && s[i] <= 'f') {
			return false
		}
	}
	return s != ""
}
