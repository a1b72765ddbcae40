// Package ghactions writes GitHub Actions' native output: log groups, error
// annotations from compiler output, step outputs ($GITHUB_OUTPUT) and the
// job summary ($GITHUB_STEP_SUMMARY). kiln uses it only when Enabled says
// the process runs in a GitHub Actions job; the environment is always passed
// in (a getenv func), never read from the process here.
package ghactions

import (
	"fmt"
	"io"
	"strings"
)

// Enabled reports whether getenv describes a GitHub Actions job
// (GITHUB_ACTIONS=true). Pass os.Getenv, or a map's lookup in tests.
func Enabled(getenv func(string) string) bool {
	return getenv("GITHUB_ACTIONS") == "true"
}

// Group starts a collapsible group of log lines titled title; EndGroup ends
// it. Groups do not nest.
func Group(w io.Writer, title string) error {
	_, err := fmt.Fprintf(w, "::group::%s\n", escapeData(title))
	return err
}

// EndGroup ends the group Group started.
func EndGroup(w io.Writer) error {
	_, err := io.WriteString(w, "::endgroup::\n")
	return err
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes the message of a workflow command (after the "::").
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a property value of a workflow command
// (file=…,line=…), where ":" and "," are syntax too.
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }
