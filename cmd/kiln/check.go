package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/kiln-build/kiln/evidence/audit"
	"github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/internal/safefile"
)

// maxKey bounds the public key file.
const maxKey = 1 << 20

// run checks the directory and prints the report.
func (c *checkCmd) run(ctx context.Context, stdout, stderr io.Writer) int {
	var key *ecdsa.PublicKey
	if c.key != "" {
		data, err := readSmall(c.key, maxKey)
		if err == nil {
			key, err = signing.ParsePublicKey(data)
		}
		if err != nil {
			fmt.Fprintf(stderr, "kiln check: --key %s: %v\n", c.key, err)
			return exitUsage
		}
	}
	rep, err := audit.Dir(ctx, c.dir, audit.Options{Key: key, Repo: c.repo, Commit: c.commit})
	if err != nil {
		fmt.Fprintf(stderr, "kiln %v\n", err)
		return exitUsage
	}
	var rb *rebuildReport
	if c.rebuild {
		rb = c.rebuildRelease(ctx, rep, stderr)
		rep.Results = append(rep.Results, rb.Results...)
		rep.OK = len(rep.Failed()) == 0
	}
	if c.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(jsonReport{rep, rb}); err != nil {
			fmt.Fprintf(stderr, "kiln check: %v\n", err)
			return exitUsage
		}
	} else {
		printTable(stdout, rep, rb)
	}
	if !rep.OK {
		return exitFailed
	}
	return exitOK
}

// jsonReport is --json's output: the check's report, with the rebuild's
// facts when --rebuild ran (its results are among the report's).
type jsonReport struct {
	*audit.Report
	Rebuild *rebuildReport `json:"rebuild,omitempty"`
}

// printTable prints the report for a person: one row per claim, failures
// first in the summary.
func printTable(w io.Writer, rep *audit.Report, rb *rebuildReport) {
	fmt.Fprintf(w, "kiln check %s\n", rep.Dir)
	fmt.Fprintf(w, "  checksums   %s\n", rep.Checksums)
	if rep.Provenance != "" {
		fmt.Fprintf(w, "  provenance  %s\n", rep.Provenance)
	}
	if rep.Repository != "" {
		fmt.Fprintf(w, "  source      %s at %s\n", rep.Repository, rep.Commit)
	}
	if rb != nil && rb.Source != "" {
		fmt.Fprintf(w, "  rebuilt     from %s at %s\n", rb.Source, rb.Commit)
	}
	if rb != nil && rb.Kept != "" {
		fmt.Fprintf(w, "  kept        the rebuilt release in %s\n", rb.Kept)
	}
	if rb != nil {
		for _, n := range rb.Notes {
			fmt.Fprintf(w, "  note        %s\n", n)
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCLAIM\tFILE\tDETAIL")
	counts := map[audit.Status]int{}
	for _, r := range rep.Results {
		counts[r.Status]++
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Status, r.Claim, r.File, r.Detail)
	}
	tw.Flush()
	fmt.Fprintln(w)
	verdict := "every claim checked holds"
	if !rep.OK {
		verdict = "the release FAILED the check"
	}
	fmt.Fprintf(w, "kiln check: %d ok, %d failed, %d not checked: %s\n", counts[audit.OK], counts[audit.Failed], counts[audit.NotChecked], verdict)
	for _, f := range rep.Failed() {
		fmt.Fprintf(w, "  FAIL %s: %s: %s\n", f.File, f.Claim, f.Detail)
	}
}

// readSmall reads a regular file of at most max bytes.
func readSmall(path string, max int64) ([]byte, error) {
	f, _, err := safefile.Open(path, max)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
