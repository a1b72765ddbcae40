package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/evidence/audit"
	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/release"
)

// rebuildReport is what --rebuild did; its results join the check's.
type rebuildReport struct {
	// Source is what was cloned, Commit the commit built.
	Source string `json:"source,omitempty"`
	Commit string `json:"commit,omitempty"`
	// Kept is where the rebuilt release was kept for inspection, when a
	// file differed.
	Kept    string         `json:"kept,omitempty"`
	Notes   []string       `json:"notes,omitempty"`
	Results []audit.Result `json:"-"`
}

// rebuildRelease rebuilds the release the provenance describes — a clone
// of its repository at its commit, kiln's engine running exactly the
// recorded go builds (arguments and build variables), an empty build
// cache — and compares every rebuilt file with the published one, and
// each go build the rebuild ran with the recorded one. Progress goes to
// log.
func (c *checkCmd) rebuildRelease(ctx context.Context, rep *audit.Report, log io.Writer) *rebuildReport {
	rb := &rebuildReport{}
	fail := func(err error) *rebuildReport {
		rb.Results = append(rb.Results, audit.Result{File: cmp.Or(rep.Provenance, rep.Checksums), Claim: "rebuild",
			Status: audit.Failed, Detail: err.Error()})
		return rb
	}
	if rep.Provenance == "" {
		return fail(errors.New("no provenance in the directory: nothing says how the release was built"))
	}
	data, err := readSmall(filepath.Join(c.dir, rep.Provenance), audit.MaxEvidence)
	if err != nil {
		return fail(err)
	}
	prov, err := provenance.Read(data)
	if err != nil {
		return fail(err)
	}
	rs, err := rebuildSettings(prov, rep.Project)
	if err != nil {
		return fail(fmt.Errorf("the provenance does not say how to rebuild it: %w\n(it records what the kiln that made it ran; that kiln can rebuild it: go run github.com/kiln-build/kiln/cmd/kiln@%s check --rebuild)",
			err, cmp.Or(prov.KilnVersion, "VERSION")))
	}
	if v := kilnVersion(); prov.KilnVersion != "" && v != prov.KilnVersion {
		rb.Notes = append(rb.Notes, fmt.Sprintf("the release was built by kiln %s, this is kiln %s: its SBOMs and provenance name kiln's version, "+
			"so compare with go run github.com/kiln-build/kiln/cmd/kiln@%s", prov.KilnVersion, v, prov.KilnVersion))
	}

	tmp, err := os.MkdirTemp("", "kiln-rebuild-")
	if err != nil {
		return fail(err)
	}
	defer func() {
		os.RemoveAll(filepath.Join(tmp, "cache"))
		os.RemoveAll(filepath.Join(tmp, "src"))
		if rb.Kept == "" {
			os.RemoveAll(tmp)
		}
	}()
	rb.Source, rb.Commit = cmp.Or(c.source, prov.Repository()), prov.Source.Commit
	src := filepath.Join(tmp, "src")
	if err := clone(ctx, rb.Source, rb.Commit, src); err != nil {
		return fail(err)
	}
	modDir := filepath.Join(src, filepath.FromSlash(rs.moduleDir))
	names := make([]string, len(rs.settings.Binaries))
	for i, b := range rs.settings.Binaries {
		names[i] = b.Name
	}
	extras, err := publishedExtras(ctx, c.dir, rep, modDir, names)
	if err != nil {
		return fail(err)
	}
	rs.settings.Package.Extras = extras
	cache := filepath.Join(tmp, "cache")
	goEnv, note, err := rs.goEnv(ctx, tmp, cache) // outside the module: this machine's own toolchain
	if err != nil {
		return fail(err)
	}
	if note != "" {
		rb.Notes = append(rb.Notes, note)
		fmt.Fprintf(log, "kiln check --rebuild: %s\n", note)
	}

	out := filepath.Join(tmp, "dist")
	getenv := func(k string) string {
		switch k {
		case "KILN_VERSION":
			return prov.External.Version
		case "KILN_OUT":
			return out
		}
		return "" // nothing of this shell's KILN_* reaches the rebuild
	}
	fmt.Fprintf(log, "kiln check --rebuild: %s at %s in %s, with an empty build cache\n", rb.Source, rb.Commit, rs.moduleDir)
	p, err := release.Resolve(ctx, rs.settings, release.WithDir(modDir), release.WithEnv(getenv),
		release.WithSelector(strings.Join(prov.External.Matrix, ",")), release.WithOutput(log),
		release.WithBuildEnv(goEnv), release.WithPlanCache(filepath.Join(cache, "kiln")))
	if err != nil {
		return fail(err)
	}
	for _, stage := range []func(context.Context) error{p.Build, p.Verify, p.Package} {
		if err := stage(ctx); err != nil {
			return fail(fmt.Errorf("the rebuild failed: %w", err))
		}
	}
	rb.Results = compareRelease(ctx, c.dir, rep, out, prov, c.source != "", note != "")
	for _, r := range rb.Results {
		if r.Status == audit.Failed {
			rb.Kept = out
		}
	}
	return rb
}

// goEnv is the go command's environment for the rebuild: this process's,
// with its build variables (gobuild.BuildVar) replaced by exactly the
// recorded ones, an empty build cache in cache, no go env file (GOENV=off:
// the user's settings must not reach the build), and the recorded
// toolchain when this one differs (then GOTOOLCHAIN is the one variable
// that may differ from the record, said in a note). This machine's Go
// version is asked in dir, outside the module.
func (rb *rebuild) goEnv(ctx context.Context, dir, cache string) (env []string, note string, err error) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !gobuild.BuildVar(k) && k != "GOCACHE" && k != "GOENV" {
			env = append(env, kv)
		}
	}
	env = append(env, rb.env...)
	env = append(env, "GOCACHE="+filepath.Join(cache, "go"), "GOENV=off")
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION")
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.Output()
	if err != nil {
		return nil, "", fmt.Errorf("go env GOVERSION: %w", err)
	}
	if local := strings.TrimSpace(string(out)); local != rb.goVersion {
		note = fmt.Sprintf("the release was built with %s, this machine has %s: GOTOOLCHAIN=%s (the go command fetches it)", rb.goVersion, local, rb.goVersion)
		env = append(slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, "GOTOOLCHAIN=") }), "GOTOOLCHAIN="+rb.goVersion)
	}
	return env, note, nil
}

// clone clones source (a URL, a local path or a file:// URL) into dst and
// checks out commit.
func clone(ctx context.Context, source, commit, dst string) error {
	if u, err := url.Parse(source); err == nil && u.Scheme == "file" {
		source = u.Path
	}
	if _, err := gitinfo.Git(ctx, filepath.Dir(dst), "clone", "--quiet", "--no-checkout", source, dst); err != nil {
		return fmt.Errorf("clone %s: %w (give --source with a clone or mirror of it)", source, err)
	}
	if _, err := gitinfo.Git(ctx, dst, "-c", "advice.detachedHead=false", "checkout", "--quiet", commit); err != nil {
		return fmt.Errorf("commit %s is not in %s: %w", commit, source, err)
	}
	return nil
}

// kilnVersion is this kiln's version, as release names it in SBOMs and
// provenance: "devel" for a checkout.
func kilnVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" || bi.Main.Version == "(devel)" {
		return "devel"
	}
	return bi.Main.Version
}
