package ghactions

import (
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Annotation is one compiler diagnostic, shown by GitHub on the line of the
// file it names.
type Annotation struct {
	Level   string // "error" or "warning"
	File    string // slash-separated, relative to the repository root; as printed when outside it
	Line    int
	Col     int    // 0 when the compiler gave none
	Package string // import path from the preceding "# pkg" header; "" if none
	Message string // may span lines (the compiler's tab-indented continuation lines)
}

// String is the workflow command for a: "::error file=F,line=N,col=C::MSG".
func (a Annotation) String() string {
	level := a.Level
	if level != "warning" {
		level = "error"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "::%s file=%s,line=%d", level, escapeProperty(a.File), a.Line)
	if a.Col > 0 {
		fmt.Fprintf(&b, ",col=%d", a.Col)
	}
	b.WriteString("::" + escapeData(a.Message))
	return b.String()
}

// WriteAnnotations writes the workflow command of each annotation, one a
// line, skipping exact repeats (a mistake reported by several platforms'
// builds is shown once).
func WriteAnnotations(w io.Writer, as []Annotation) error {
	seen := make(map[string]bool, len(as))
	for _, a := range as {
		line := a.String()
		if seen[line] {
			continue
		}
		seen[line] = true
		if _, err := io.WriteString(w, line+"\n"); err != nil {
			return err
		}
	}
	return nil
}

// diagnostic matches "path.go:12:5: msg" and "path.go:12: msg". The path may
// hold spaces and a drive letter but not ": ", which keeps prefixed lines
// such as "vet: x.go:1:2: …" out.
var diagnostic = regexp.MustCompile(`^((?:[^:]|:[^ ])+?\.(?:go|c|h|cc|cpp|cxx|m|s|S)):(\d+)(?::(\d+))?: (.+)$`)

// Annotations parses the output of `go build` (or `go vet`, or cgo's C
// compiler) into annotations. Relative paths are relative to moduleDir,
// where go ran; paths inside repoRoot become relative to it, others are kept
// as printed. Pass both directories absolute (or both relative to the same
// directory). Lines that are not diagnostics are ignored; a tab-indented line
// continues the previous diagnostic's message. Total: any input is fine.
func Annotations(compilerOutput, moduleDir, repoRoot string) []Annotation {
	var (
		out  []Annotation
		pkg  string
		last = -1 // index in out of the diagnostic a continuation line extends
	)
	for line := range strings.Lines(compilerOutput) {
		line = strings.TrimRight(line, "\r\n")
		if rest, ok := strings.CutPrefix(line, "\t"); ok && last >= 0 {
			out[last].Message += "\n" + rest
			continue
		}
		last = -1
		if p, ok := strings.CutPrefix(line, "# "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		m := diagnostic.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n, err := strconv.Atoi(m[2])
		if err != nil || n <= 0 {
			continue
		}
		col, _ := strconv.Atoi(m[3]) // "" → 0
		a := Annotation{Level: "error", File: repoPath(m[1], moduleDir, repoRoot), Line: n, Col: col, Package: pkg, Message: m[4]}
		if msg, ok := strings.CutPrefix(a.Message, "warning: "); ok {
			a.Level, a.Message = "warning", msg
		} else if msg, ok := strings.CutPrefix(a.Message, "error: "); ok {
			a.Message = msg
		}
		out = append(out, a)
		last = len(out) - 1
	}
	return out
}

// repoPath turns a path printed by the compiler into one relative to
// repoRoot, or returns it unchanged when it is outside.
func repoPath(p, moduleDir, repoRoot string) string {
	if hasDriveLetter(p) && !filepath.IsAbs(p) {
		return p // a Windows path read on another OS
	}
	abs := p
	if !filepath.IsAbs(p) {
		abs = filepath.Join(moduleDir, p)
	}
	rel, err := filepath.Rel(repoRoot, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return filepath.ToSlash(rel)
}

func hasDriveLetter(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') &&
		('a' <= p[0] && p[0] <= 'z' || 'A' <= p[0] && p[0] <= 'Z')
}
