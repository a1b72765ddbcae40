package checksum

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Line is one file of a checksums file: its name (unescaped) and its
// sha256 in lowercase hex.
type Line struct {
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

// Format returns the checksums file of lines, sorted by name, names
// escaped as sha256sum escapes them. A name listed twice, a name that is
// not a relative slash path inside the directory and a sha256 that is not
// 64 lowercase hex digits are errors.
func Format(lines []Line) ([]byte, error) {
	lines = slices.Clone(lines)
	slices.SortFunc(lines, func(a, b Line) int { return cmp.Compare(a.Name, b.Name) })
	var b bytes.Buffer
	var errs []error
	for i, l := range lines {
		switch {
		case i > 0 && lines[i-1].Name == l.Name:
			errs = append(errs, fmt.Errorf("%s is listed twice", l.Name))
		case len(l.SHA256) != 64 || !isHex(l.SHA256):
			errs = append(errs, fmt.Errorf("%s: sha256 %q is not 64 lowercase hex digits", l.Name, l.SHA256))
		case !fs.ValidPath(l.Name) || l.Name == ".":
			errs = append(errs, fmt.Errorf("%q: not a relative slash path inside the directory", l.Name))
		}
		name, escaped := escape(l.Name)
		if escaped {
			b.WriteByte('\\')
		}
		fmt.Fprintf(&b, "%s  %s\n", l.SHA256, name)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Parse returns the lines of a checksums file, in file order:
// "<64 lowercase hex digits>  <name>" (text mode) or "<hex> *<name>"
// (binary mode), names escaped as sha256sum escapes them when the line
// starts with a backslash. Empty lines are skipped, a final "\r" dropped.
// Every malformed line is reported, each a *LineError naming it, as is a
// name listed twice or one that leaves the directory; no lines at all is
// an error too.
func Parse(data []byte) ([]Line, error) {
	var lines []Line
	var errs []error
	seen := map[string]int{}
	for i, raw := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSuffix(string(raw), "\r")
		if text == "" {
			continue
		}
		l, err := parseLine(text)
		if err == nil && seen[l.Name] > 0 {
			err = fmt.Errorf("%s is also listed on line %d", l.Name, seen[l.Name])
		}
		if err != nil {
			errs = append(errs, &LineError{Line: i + 1, Text: text, Err: err})
			continue
		}
		seen[l.Name] = i + 1
		lines = append(lines, l)
	}
	if len(lines) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("checksums: no files listed"))
	}
	if err := errors.Join(errs...); err != nil {
		return lines, err
	}
	return lines, nil
}

func parseLine(text string) (Line, error) {
	escaped := strings.HasPrefix(text, `\`)
	if escaped {
		text = text[1:]
	}
	if len(text) < 66 {
		return Line{}, errors.New(`want "<sha256>  <name>"`)
	}
	sum, sep, name := text[:64], text[64:66], text[66:]
	if !isHex(sum) {
		return Line{}, errors.New("the sha256 is not 64 lowercase hex digits")
	}
	if sep != "  " && sep != " *" {
		return Line{}, errors.New(`want two spaces (or " *") between the sha256 and the name`)
	}
	if escaped {
		var ok bool
		if name, ok = unescape(name); !ok {
			return Line{}, errors.New("bad escape in the name")
		}
	}
	switch {
	case name == "":
		return Line{}, errors.New("no file name")
	case !fs.ValidPath(name) || name == ".":
		return Line{}, errors.New("the name is not a relative slash path inside the directory")
	}
	return Line{Name: name, SHA256: sum}, nil
}

// escape escapes a name as sha256sum does: "\\" and "\n"; escaped reports
// whether it had to (the line then starts with a backslash).
func escape(name string) (string, bool) {
	if !strings.ContainsAny(name, "\\\n") {
		return name, false
	}
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(name), true
}

// unescape undoes escape.
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
