package ghactions

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kiln-build/kiln/internal/safefile"
)

// MaxSummary is the size above which GitHub drops a step's job summary.
const MaxSummary = 1 << 20

// SetOutput appends a step output to the $GITHUB_OUTPUT file at path, in the
// multiline-safe form "name<<DELIM\nvalue\nDELIM\n" with a random delimiter
// that does not occur in value. name must start with a letter or "_" and
// hold only letters, digits, "-" and "_" (what `steps.<id>.outputs.<name>`
// accepts).
func SetOutput(path, name, value string) error {
	if path == "" {
		return errors.New("set output " + name + ": GITHUB_OUTPUT is not set")
	}
	if !validName(name) {
		return fmt.Errorf("set output %q: not a valid output name (a letter or _, then letters, digits, - or _)", name)
	}
	delim := "ghadelimiter_" + rand.Text()
	for strings.Contains(value, delim) {
		delim = "ghadelimiter_" + rand.Text()
	}
	if err := appendFile(path, name+"<<"+delim+"\n"+value+"\n"+delim+"\n"); err != nil {
		return fmt.Errorf("set output %s: GITHUB_OUTPUT=%s: %w", name, path, err)
	}
	return nil
}

// AppendSummary appends markdown to the job summary file at path
// ($GITHUB_STEP_SUMMARY), ending it with a blank line so that the next
// block (another table) starts apart. It refuses to grow the file past
// MaxSummary.
func AppendSummary(path, markdown string) error {
	if path == "" {
		return errors.New("append summary: GITHUB_STEP_SUMMARY is not set")
	}
	chunk := strings.TrimRight(markdown, "\n") + "\n\n"
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size()+int64(len(chunk)) > MaxSummary {
		return fmt.Errorf("append summary: GITHUB_STEP_SUMMARY=%s: %d + %d bytes would exceed GitHub's %d-byte limit", path, fi.Size(), len(chunk), MaxSummary)
	}
	if err := appendFile(path, chunk); err != nil {
		return fmt.Errorf("append summary: GITHUB_STEP_SUMMARY=%s: %w", path, err)
	}
	return nil
}

// appendFile appends s with one write, so concurrent appenders do not
// interleave within it. Only a regular file is opened, and without
// blocking (safefile.OpenAppend): a FIFO with no reader fails at once.
func appendFile(path, s string) error {
	f, err := safefile.OpenAppend(path)
	if err != nil {
		return err
	}
	_, werr := f.WriteString(s)
	if err := f.Close(); werr == nil {
		werr = err
	}
	return werr
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && (c == '-' || '0' <= c && c <= '9'):
		default:
			return false
		}
	}
	return true
}
