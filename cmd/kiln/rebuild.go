package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/kiln-build/kiln/evidence/audit"
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
// of its repository at its commit, exactly its recorded parameters, an
// empty build cache — and compares every rebuilt file with the published
// one. Progress goes to log. It changes this process's environment (the
// build's Go variables and caches): kiln is a command, and exits after.
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
	prov, err := audit.ReadProvenance(data)
	if err != nil {
		return fail(err)
	}
	rs, err := rebuildSettings(prov, rep.Project)
	if err != nil {
		return fail(fmt.Errorf("the provenance does not say how to rebuild: %w", err))
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
	rb.Source, rb.Commit = cmp.Or(c.source, prov.Repository()), prov.Commit
	src := filepath.Join(tmp, "src")
	if err := clone(ctx, rb.Source, prov.Commit, src); err != nil {
		return fail(err)
	}
	mains := make([]string, len(rs.settings.Binaries))
	names := make([]string, len(rs.settings.Binaries))
	for i, b := range rs.settings.Binaries {
		mains[i], names[i] = b.Main, b.Name
	}
	modDir, err := moduleDir(src, mains)
	if err != nil {
		return fail(err)
	}
	extras, err := publishedExtras(ctx, c.dir, rep, modDir, names)
	if err != nil {
		return fail(err)
	}
	rs.settings.Package.Extras = extras
	if err := rs.applyEnv(ctx, filepath.Join(tmp, "cache"), log); err != nil {
		return fail(err)
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
	fmt.Fprintf(log, "kiln check --rebuild: %s at %s in %s, with an empty build cache\n", rb.Source, prov.Commit, modDir)
	p, err := release.Resolve(ctx, rs.settings, release.WithDir(modDir), release.WithEnv(getenv),
		release.WithSelector(strings.Join(prov.External.Matrix, ",")), release.WithOutput(log))
	if err != nil {
		return fail(err)
	}
	p.VerifyWith.NoRun = true // the check compares bytes; running is verify's job
	for _, stage := range []func(context.Context) error{p.Build, p.Verify, p.Package} {
		if err := stage(ctx); err != nil {
			return fail(fmt.Errorf("the rebuild failed: %w", err))
		}
	}
	rb.Results = compareRelease(ctx, c.dir, rep, out, prov, c.source != "")
	for _, r := range rb.Results {
		if r.Status == audit.Failed {
			rb.Kept = out
		}
	}
	return rb
}

// rebuild holds the release settings and the Go environment that
// reproduce a provenance's build.
type rebuild struct {
	settings release.Settings
	// env are the recorded Go variables: set when non-empty, unset when
	// empty (so this shell's values cannot change the build).
	env       map[string]string
	goVersion string
}

// The variables kiln's provenance records when they reach the build (see
// release's provenanceEnv): a rebuild sets exactly the recorded ones.
var recordedEnv = []string{"GOFLAGS", "GOEXPERIMENT", "GOTOOLCHAIN", "CGO_CFLAGS", "CGO_CPPFLAGS",
	"CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS", "CXX"}

func rebuildSettings(prov *audit.Provenance, project string) (*rebuild, error) {
	ext, in := prov.External, prov.Internal
	var errs []error
	if ext.Version == "" || len(ext.Matrix) == 0 || len(ext.Binaries) == 0 {
		errs = append(errs, errors.New("no version, matrix or binaries in externalParameters"))
	}
	if in.GoVersion == "" || strings.Contains(in.GoVersion, ",") {
		errs = append(errs, fmt.Errorf("goVersion %q: want one Go toolchain", in.GoVersion))
	}
	rb := &rebuild{env: map[string]string{}, goVersion: in.GoVersion}
	s := &rb.settings
	s.Project = project
	s.Package.NoImage = true // its settings are not recorded: see compareRelease
	vars := release.StampVars{Version: "-", Commit: "-", Date: "-"}
	byName := map[string]*release.Binary{}
	for _, b := range ext.Binaries {
		s.Binaries = append(s.Binaries, release.Binary{Name: b.Name, Main: b.Main, Tags: b.Tags, Platforms: b.Platforms})
	}
	for i := range s.Binaries {
		byName[s.Binaries[i].Name] = &s.Binaries[i]
	}
	for _, f := range in.Flags {
		name, flag, perBinary := strings.Cut(f, ": ")
		if !perBinary {
			flag = f
		}
		switch {
		case !perBinary && (flag == "-trimpath" || flag == "-buildvcs=false"):
		case !perBinary && strings.HasPrefix(flag, "-ldflags="):
			if err := stampVars(strings.Fields(strings.TrimPrefix(flag, "-ldflags=")), prov, &vars); err != nil {
				errs = append(errs, err)
			}
		case perBinary && byName[name] != nil && strings.HasPrefix(flag, "-ldflags="):
			byName[name].LDFlags = strings.Fields(strings.TrimPrefix(flag, "-ldflags="))
		default:
			errs = append(errs, fmt.Errorf("flag %q is not one kiln records", f))
		}
	}
	s.VersionVars = vars
	for k, v := range in.Env {
		name, key, perBinary := strings.Cut(k, ":")
		switch {
		case perBinary && byName[name] != nil:
			byName[name].Env = append(byName[name].Env, key+"="+v)
		case !perBinary && slices.Contains(recordedEnv, k):
			rb.env[k] = v
		default:
			errs = append(errs, fmt.Errorf("env %s is not one kiln records", k))
		}
	}
	for _, b := range s.Binaries {
		slices.Sort(b.Env) // map order: sorted, as recorded
	}
	return rb, errors.Join(errs...)
}

// stampVars reads the version, commit and date variables from the
// recorded "-s -w -X name=value ..." by their values.
func stampVars(ld []string, prov *audit.Provenance, vars *release.StampVars) error {
	for i := 0; i < len(ld); i++ {
		switch ld[i] {
		case "-s", "-w":
			continue
		case "-X":
			if i+1 == len(ld) {
				return errors.New("-ldflags ends in -X")
			}
			i++
			name, value, ok := strings.Cut(ld[i], "=")
			switch {
			case !ok:
				return fmt.Errorf("-X %s: want name=value", ld[i])
			case value == prov.External.Version:
				vars.Version = name
			case value == prov.Commit:
				vars.Commit = name
			default:
				vars.Date = name
			}
			continue
		}
		return fmt.Errorf("-ldflags holds %q, which kiln does not set itself", ld[i])
	}
	return nil
}

// applyEnv sets this process's environment for the rebuild: exactly the
// recorded Go variables, an empty build cache and plan cache under cache,
// and the recorded toolchain when this one differs.
func (rb *rebuild) applyEnv(ctx context.Context, cache string, log io.Writer) error {
	for _, k := range recordedEnv {
		var err error
		if v := rb.env[k]; v != "" {
			err = os.Setenv(k, v)
		} else {
			err = os.Unsetenv(k)
		}
		if err != nil {
			return err
		}
	}
	// GOCACHE empty; XDG_CACHE_HOME holds kiln's plan cache (and nothing
	// of the user's cache is read or written).
	for k, v := range map[string]string{"GOCACHE": filepath.Join(cache, "go"), "XDG_CACHE_HOME": cache} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	if err != nil {
		return fmt.Errorf("go env GOVERSION: %w", err)
	}
	if local := strings.TrimSpace(string(out)); local != rb.goVersion && rb.env["GOTOOLCHAIN"] == "" {
		fmt.Fprintf(log, "kiln check --rebuild: the release was built with %s, this machine has %s: GOTOOLCHAIN=%s (the go command fetches it)\n",
			rb.goVersion, local, rb.goVersion)
		return os.Setenv("GOTOOLCHAIN", rb.goVersion)
	}
	return nil
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

// moduleDir finds the module of the main packages in the clone: the
// go.mod whose module path is the longest prefix of them all.
func moduleDir(root string, mains []string) (string, error) {
	best, bestPath := "", ""
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "vendor" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Name() != "go.mod" || !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mod := modfile.ModulePath(data)
		for _, m := range mains {
			if m != mod && !strings.HasPrefix(m, mod+"/") {
				return nil
			}
		}
		if len(mod) > len(bestPath) {
			best, bestPath = filepath.Dir(p), mod
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if best == "" {
		return "", fmt.Errorf("no go.mod in the clone is the module of %s", strings.Join(mains, ", "))
	}
	return best, nil
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
