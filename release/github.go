package release

import (
	"cmp"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/ghactions"
)

// GitHub is where a GitHub Actions job takes kiln's native output. Resolve
// sets Plan.GitHub only when GITHUB_ACTIONS=true; outside GitHub Actions
// every stage prints exactly what it prints without it.
type GitHub struct {
	// Output is $GITHUB_OUTPUT, the step outputs file (the shards target
	// writes the shard list there).
	Output string
	// Summary is $GITHUB_STEP_SUMMARY, the job summary file (verify and
	// package append a markdown table).
	Summary string
	// Workspace is $GITHUB_WORKSPACE, the repository root that compiler
	// annotations are relative to ("" : the module root).
	Workspace string
}

// resolveCI reads the CI settings (GITHUB_ACTIONS and its files,
// KILN_SHARDS) through env; it returns one line per bad value.
func (p *Plan) resolveCI(env func(string) string) []string {
	var bad []string
	if ghactions.Enabled(env) {
		p.GitHub = &GitHub{Output: env("GITHUB_OUTPUT"), Summary: env("GITHUB_STEP_SUMMARY"), Workspace: env("GITHUB_WORKSPACE")}
	}
	if v := env("KILN_SHARDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad = append(bad, fmt.Sprintf("KILN_SHARDS=%q: want a whole number >= 1 (how many CI jobs share the matrix)", v))
		}
		p.ShardCount = max(n, 0)
	}
	return bad
}

// reportBuild prints one build's line. In GitHub Actions the line is a
// collapsible group holding the compiler's output of a failed build,
// followed by an annotation per compiler error on its file and line. The
// whole report is one write: builds report from several goroutines.
func (p *Plan) reportBuild(line string, r gobuild.Result) {
	if p.GitHub == nil {
		fmt.Fprintln(p.w, line)
		return
	}
	var b strings.Builder
	ghactions.Group(&b, fmt.Sprintf("%s %s: %s", r.Spec.Name, r.Spec.Platform, r.Status))
	b.WriteString(line + "\n")
	if r.Err != nil {
		b.WriteString(r.Err.Error() + "\n")
	}
	ghactions.EndGroup(&b)
	if r.Err != nil {
		as := ghactions.Annotations(r.Err.Error(), p.Dir, cmp.Or(p.GitHub.Workspace, p.Dir))
		ghactions.WriteAnnotations(&b, as)
	}
	io.WriteString(p.w, b.String())
}

// summarize appends a markdown block to the job summary; a summary that
// cannot be written is a warning, never the stage's failure.
func (p *Plan) summarize(markdown string) {
	if p.GitHub == nil {
		return
	}
	if err := ghactions.AppendSummary(p.GitHub.Summary, markdown); err != nil {
		fmt.Fprintf(p.w, "warning: job summary: %v\n", err)
	}
}

// summarizeVerify appends the verify table: binary, platform, size,
// static, run result and verdict.
func (p *Plan) summarizeVerify(bins []artifact.Artifact, results []artifact.VerifyResult) {
	if p.GitHub == nil {
		return
	}
	t := ghactions.NewTable("Binary", "Platform", "Size", "Static", "Go", "Run", "Result").AlignRight(2)
	ok := 0
	for i, a := range bins {
		r := results[i]
		verdict := "✅ ok"
		if r.OK {
			ok++
		} else {
			verdict = "❌ " + strings.Join(r.Problems, "; ")
		}
		t.Row(a.Name, a.Platform().String(), megabytes(a.Size), yesNo(r.Static), r.GoVersion, runText(r.Run), verdict)
	}
	p.summarize(fmt.Sprintf("### verify: %s %s — %d of %d binaries ok\n\n%s", p.Project, p.Version.Semver, ok, len(bins), t))
}

// summarizePackage appends the package table: every artifact written, with
// its sha256.
func (p *Plan) summarizePackage(made []artifact.Artifact) {
	if p.GitHub == nil {
		return
	}
	t := ghactions.NewTable("Artifact", "Kind", "Platform", "Size", "SHA-256").AlignRight(3)
	for _, a := range made {
		where := "-"
		if a.OS != "" {
			where = a.Platform().String()
		}
		t.Row(a.Path, string(a.Kind), where, megabytes(a.Size), "`"+a.SHA256+"`")
	}
	p.summarize(fmt.Sprintf("### package: %s %s — %d artifact(s)\n\n%s", p.Project, p.Version.Semver, len(made), t))
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
