// Package report is where kiln's stages say what they did: progress lines,
// a line per build and their summary, the verify and package tables and
// step outputs. One Reporter prints them as text; in a GitHub Actions job
// it also groups each build's output, annotates compiler errors on their
// files, appends the tables to the job summary and writes step outputs.
package report

import (
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/ghactions"
)

// Reporter receives what the stages report. Its methods may be called from
// several goroutines; each report is one write.
type Reporter interface {
	// Printf prints progress text (the format ends with its newline).
	Printf(format string, args ...any)
	// Build reports one finished build; path is its output as the manifest
	// names it, stamped how its program learns its version ("-X
	// main.Version", "build info", "none: <why>").
	Build(r gobuild.Result, path, stamped string)
	// Built reports the builds of a release ("tool v1.2.3") that took
	// took: how many were built, up to date and failed.
	Built(release string, results []gobuild.Result, took time.Duration)
	// Verified reports the verify table of a release ("tool v1.2.3"): each
	// binary with its result, then the notes.
	Verified(release string, bins []artifact.Artifact, results []artifact.VerifyResult, notes []string)
	// File reports one file a stage wrote.
	File(a artifact.Artifact)
	// Packaged reports every file the package stage wrote for a release.
	Packaged(release string, made []artifact.Artifact)
	// Output sets a step output for the steps after this one (GitHub
	// Actions' $GITHUB_OUTPUT); elsewhere it does nothing.
	Output(name, value string) error
}

// GitHub is where a GitHub Actions job takes kiln's native output.
type GitHub struct {
	// Output is $GITHUB_OUTPUT, the step outputs file.
	Output string
	// Summary is $GITHUB_STEP_SUMMARY, the job summary file (verify and
	// package append a markdown table).
	Summary string
	// Workspace is $GITHUB_WORKSPACE, the repository root that compiler
	// annotations are relative to ("": the module root).
	Workspace string
}

// GitHubFromEnv returns the GitHub Actions files when GITHUB_ACTIONS=true,
// else nil.
func GitHubFromEnv(getenv func(string) string) *GitHub {
	if !ghactions.Enabled(getenv) {
		return nil
	}
	return &GitHub{Output: getenv("GITHUB_OUTPUT"), Summary: getenv("GITHUB_STEP_SUMMARY"), Workspace: getenv("GITHUB_WORKSPACE")}
}

// New returns the Reporter that prints to w, with GitHub Actions' groups,
// annotations, summaries and outputs when gh is set. moduleDir is the
// module root that compiler messages are relative to.
func New(w io.Writer, gh *GitHub, moduleDir string) Reporter {
	return &reporter{w: &lockedWriter{w: w}, gh: gh, dir: moduleDir}
}

// lockedWriter serializes the writes of the stages' goroutines (builds
// report as they finish): each message is written whole, with one Write.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

type reporter struct {
	w   io.Writer
	gh  *GitHub
	dir string
}

func (r *reporter) Printf(format string, args ...any) { fmt.Fprintf(r.w, format, args...) }

// Build prints one build's line. In GitHub Actions the line is a
// collapsible group holding the compiler's output of a failed build,
// followed by an annotation per compiler error on its file and line.
func (r *reporter) Build(res gobuild.Result, path, stamped string) {
	line := fmt.Sprintf("  %-10s %-20s %-14s %6.1fs", res.Status, res.Spec.Platform, res.Spec.Name, res.Duration.Seconds())
	if res.Err == nil {
		line += fmt.Sprintf("  %6.1f MB  %s", float64(res.Size)/1e6, path)
		if res.Cgo {
			line += "  (cgo, " + res.CC + ")"
		}
		if len(res.CgoLeftOut) > 0 {
			line += "  (cgo off: left out " + strings.Join(res.CgoLeftOut, ", ") + ")"
		}
		if stamped != "" {
			line += "  version: " + stamped
		}
	}
	if r.gh == nil {
		fmt.Fprintln(r.w, line)
		return
	}
	var b strings.Builder
	ghactions.Group(&b, fmt.Sprintf("%s %s: %s", res.Spec.Name, res.Spec.Platform, res.Status))
	b.WriteString(line + "\n")
	if res.Err != nil {
		b.WriteString(res.Err.Error() + "\n")
	}
	ghactions.EndGroup(&b)
	if res.Err != nil {
		as := ghactions.Annotations(res.Err.Error(), r.dir, cmp.Or(r.gh.Workspace, r.dir))
		ghactions.WriteAnnotations(&b, as)
	}
	io.WriteString(r.w, b.String())
}

// Built prints the build stage's summary line.
func (r *reporter) Built(release string, results []gobuild.Result, took time.Duration) {
	counts := map[gobuild.Status]int{}
	for _, res := range results {
		counts[res.Status]++
	}
	fmt.Fprintf(r.w, "%s: %d build(s): %d built, %d up to date, %d failed in %.2fs\n", release,
		len(results), counts[gobuild.Built], counts[gobuild.UpToDate], counts[gobuild.Failed], took.Seconds())
}

// Verified prints the verify table and its notes and, in GitHub Actions,
// appends it to the job summary: binary, platform, size, static, cgo (or
// the packages whose cgo files were left out), Go version, the release
// version its version flag printed, run result and verdict.
func (r *reporter) Verified(release string, bins []artifact.Artifact, results []artifact.VerifyResult, notes []string) {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-14s %-20s %8s  %-6s %-8s %-10s %-12s %-30s %s\n", "BINARY", "PLATFORM", "SIZE", "STATIC", "CGO", "GO", "VERSION", "OS CHECK", "RUN")
	for i, a := range bins {
		res := results[i]
		fmt.Fprintf(&b, "  %-14s %-20s %6.1fMB  %-6s %-8s %-10s %-12s %-30s %s\n", a.Name, a.Platform(), float64(a.Size)/1e6,
			yesNo(res.Static), cgoText(a, res), res.GoVersion, versionText(res.Version), osCheck(res), runText(res.Run))
	}
	for _, n := range notes {
		if n != "" {
			fmt.Fprintln(&b, "  note:", n)
		}
	}
	io.WriteString(r.w, b.String())
	if r.gh == nil {
		return
	}
	t := ghactions.NewTable("Binary", "Platform", "Size", "Static", "Cgo", "Go", "Version", "OS check", "Run", "Result").AlignRight(2)
	ok := 0
	for i, a := range bins {
		res := results[i]
		verdict := "✅ ok"
		if res.OK {
			ok++
		} else {
			verdict = "❌ " + strings.Join(res.Problems, "; ")
		}
		cgo := cgoText(a, res)
		if len(a.CgoLeftOut) > 0 {
			cgo += ": " + strings.Join(a.CgoLeftOut, ", ")
		}
		t.Row(a.Name, a.Platform().String(), megabytes(a.Size), yesNo(res.Static), cgo, res.GoVersion, versionText(res.Version), osCheck(res), runText(res.Run), verdict)
	}
	r.summarize(fmt.Sprintf("### verify: %s — %d of %d binaries ok\n\n%s", release, ok, len(bins), t))
}

// File prints one file written: kind, platform, size and path.
func (r *reporter) File(a artifact.Artifact) {
	fmt.Fprintf(r.w, "  %-12s %-20s %8.1f MB  %s\n", a.Kind, where(a), float64(a.Size)/1e6, a.Path)
}

// Packaged appends the package table to the job summary in GitHub Actions:
// every artifact written, with its sha256.
func (r *reporter) Packaged(release string, made []artifact.Artifact) {
	if r.gh == nil {
		return
	}
	t := ghactions.NewTable("Artifact", "Kind", "Platform", "Size", "SHA-256").AlignRight(3)
	for _, a := range made {
		t.Row(a.Path, string(a.Kind), where(a), megabytes(a.Size), "`"+a.SHA256+"`")
	}
	r.summarize(fmt.Sprintf("### package: %s — %d artifact(s)\n\n%s", release, len(made), t))
}

// Output writes a step output in GitHub Actions and says so.
func (r *reporter) Output(name, value string) error {
	if r.gh == nil {
		return nil
	}
	if err := ghactions.SetOutput(r.gh.Output, name, value); err != nil {
		return err
	}
	fmt.Fprintf(r.w, "wrote the step output %s=%s\n", name, value)
	return nil
}

// OutputFiles sets a step output for each file a stage wrote into the
// output directory dir, named after the file's kind ("checksums",
// "provenance"), its value the file's absolute path: what the steps after
// this one (an attestation of the release) read. Outside GitHub Actions
// it does nothing.
func OutputFiles(r Reporter, dir string, files ...artifact.Artifact) error {
	for _, a := range files {
		if err := r.Output(string(a.Kind), filepath.Join(dir, filepath.FromSlash(a.Path))); err != nil {
			return err
		}
	}
	return nil
}

// summarize appends a markdown block to the job summary; a summary that
// cannot be written is a warning, never the stage's failure.
func (r *reporter) summarize(markdown string) {
	if err := ghactions.AppendSummary(r.gh.Summary, markdown); err != nil {
		fmt.Fprintf(r.w, "warning: job summary: %v\n", err)
	}
}

func where(a artifact.Artifact) string {
	if a.OS == "" {
		return "-"
	}
	return a.Platform().String()
}

func runText(r artifact.RunRecord) string {
	if !r.Ran {
		return "not run: " + r.NotRun
	}
	args := strings.Join(r.Args, " ")
	if args == "" {
		args = "no args"
	}
	if r.Via != "" {
		return fmt.Sprintf("%s: %s exit %d", r.Via, args, r.ExitCode) // "wine: --version exit 0"
	}
	return fmt.Sprintf("%s: exit %d", args, r.ExitCode)
}

// osCheck is the verify table's cell for the checks of one OS: a darwin
// binary's code signature, a windows binary's resources; "-" for others.
func osCheck(res artifact.VerifyResult) string {
	return cmp.Or(res.Signature, res.Resources, "-")
}

// cgoText is the cgo column: yes, no, or "left out" when the build left
// out packages' cgo files.
func cgoText(a artifact.Artifact, res artifact.VerifyResult) string {
	if len(a.CgoLeftOut) > 0 && !res.Cgo {
		return "left out"
	}
	return yesNo(res.Cgo)
}

// versionText is the version column: the release version as the version
// flag printed it, "ABSENT" when it did not, "-" when not checked.
func versionText(v *artifact.VersionCheck) string {
	switch {
	case v == nil || v.NotChecked != "":
		return "-"
	case v.Found == "":
		return "ABSENT"
	}
	return v.Found
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// Writer is r as an io.Writer, for code that prints to one.
func Writer(r Reporter) io.Writer { return writer{r} }

type writer struct{ r Reporter }

func (w writer) Write(p []byte) (int, error) {
	w.r.Printf("%s", p)
	return len(p), nil
}
