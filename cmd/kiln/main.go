// Command kiln checks a release that kiln built, from its published files
// alone: no magefile, no repository.
//
//	go run github.com/kiln-build/kiln/cmd/kiln@VERSION check [flags] DIR
//
// DIR holds the files downloaded from the release page: the archives, the
// checksums file, the SBOMs, the provenance and the signature bundles (any
// subset; what is missing is reported as not checked). kiln check verifies
// every checksums line, the signature bundles (with --key), the
// provenance's subjects against the checksums and its source against
// --repo/--commit, and each archived binary against its SBOM, its
// platform and kiln's static-linkage policy. With --rebuild it also
// rebuilds the release from the provenance alone and compares every file.
//
// Exit status: 0 when every claim held, 1 when one failed, 2 when the
// command could not run (bad flags, no checksums file).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: kiln check [flags] DIR

Checks the release whose published files are in DIR: checksums, signatures,
provenance, SBOMs, and each archived binary's platform and static linkage;
with --rebuild, rebuilds it from its provenance and compares every file.

flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// run is the command with its arguments (without the program name).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		fmt.Fprintf(stderr, "kiln: want a command: kiln check DIR (got %q)\n", args)
		return exitUsage
	}
	c, err := parseCheck(args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "kiln check: %v\n", err)
		return exitUsage
	}
	return c.run(ctx, stdout, stderr)
}

// checkCmd is `kiln check` with its flags.
type checkCmd struct {
	dir          string
	key          string
	repo, commit string
	json         bool
	rebuild      bool
	source       string
}

// parseCheck reads check's flags, before or after DIR.
func parseCheck(args []string, stderr io.Writer) (*checkCmd, error) {
	c := &checkCmd{}
	fs := flag.NewFlagSet("kiln check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.key, "key", "", "public key (PEM, as cosign.pub) that must have signed the checksums file and the provenance")
	fs.StringVar(&c.repo, "repo", "", "repository the provenance must name as the source (URL or path)")
	fs.StringVar(&c.commit, "commit", "", "commit the provenance must name (full hash or a prefix of 7+ digits)")
	fs.BoolVar(&c.json, "json", false, "print the report as JSON")
	fs.BoolVar(&c.rebuild, "rebuild", false, "also rebuild the release from its provenance alone (a clone of its repository at its commit, its recorded parameters, an empty build cache) and compare every file")
	fs.StringVar(&c.source, "source", "", "with --rebuild: clone this repository (a URL or a local path: a mirror or a clone) instead of the one the provenance names")
	var dirs []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		dirs = append(dirs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(dirs) == 0:
		fs.Usage()
		return nil, errors.New("no DIR given: the directory holding the release's files")
	case len(dirs) > 1:
		return nil, fmt.Errorf("one DIR, got %d: %q", len(dirs), dirs)
	case c.source != "" && !c.rebuild:
		return nil, errors.New("--source is for --rebuild: give both, or neither")
	}
	c.dir = dirs[0]
	return c, nil
}
