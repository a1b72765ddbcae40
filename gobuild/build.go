package gobuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/checksum"
)

// BuildAll builds every spec, at most the engine's jobs at once. Each
// result is passed to report (from the goroutine that made it) as soon as
// it is known. Results are in the order of specs; the error aggregates
// every failure, each naming its platform.
//
// Builds for one platform compile the same standard library (and the
// module's shared packages); two of them started together on a cold
// cache both compile it, since Go's build cache does not share work in
// progress between processes. So the next build to start is the first
// waiting one whose platform is not being built, when there is one
// (nextSpec).
func (e *Engine) BuildAll(ctx context.Context, specs []Spec, report func(Result)) ([]Result, error) {
	results := make([]Result, len(specs))
	var (
		mu       sync.Mutex
		waiting  = make([]int, len(specs)) // indexes into specs, in order
		building = map[matrix.Platform]int{}
		wg       sync.WaitGroup
	)
	for i := range specs {
		waiting[i] = i
	}
	for range min(e.jobs, len(specs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if len(waiting) == 0 {
					mu.Unlock()
					return
				}
				k := nextSpec(specs, waiting, building)
				i := waiting[k]
				waiting = slices.Delete(waiting, k, k+1)
				pl := specs[i].Platform
				building[pl]++
				mu.Unlock()

				results[i] = e.Build(ctx, specs[i])
				if report != nil {
					report(results[i])
				}
				mu.Lock()
				building[pl]--
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	var errs *multierror.Error
	for _, r := range results {
		if r.Err != nil {
			errs = multierror.Append(errs, r.Err)
		}
	}
	if errs != nil {
		errs.ErrorFormat = listErrors
	}
	return results, errs.ErrorOrNil()
}

// nextSpec picks, among the waiting specs (indexes into specs), the first
// whose platform has no build running, else the first; it returns its
// position in waiting.
func nextSpec(specs []Spec, waiting []int, building map[matrix.Platform]int) int {
	for k, i := range waiting {
		if building[specs[i].Platform] == 0 {
			return k
		}
	}
	return 0
}

func listErrors(errs []error) string {
	lines := make([]string, len(errs))
	for i, err := range errs {
		lines[i] = "  * " + strings.ReplaceAll(err.Error(), "\n", "\n    ")
	}
	return fmt.Sprintf("%d build(s) failed:\n%s", len(errs), strings.Join(lines, "\n"))
}

// BuildError is the failure of one platform's build.
type BuildError struct {
	Platform string
	Err      error
}

func (e *BuildError) Error() string { return e.Platform + ": " + e.Err.Error() }
func (e *BuildError) Unwrap() error { return e.Err }

// Build builds one spec, or finds its output up to date.
func (e *Engine) Build(ctx context.Context, s Spec) Result {
	start := time.Now()
	r, err := e.build(ctx, s)
	r.Spec, r.Duration = s, time.Since(start)
	if err != nil {
		r.Status, r.Err = Failed, &BuildError{Platform: s.Platform.String(), Err: err}
	}
	return r
}

func (e *Engine) build(ctx context.Context, s Spec) (Result, error) {
	var r Result
	if s.Main == "" || s.Out == "" || s.Name == "" {
		return r, errors.New("spec needs Main, Out and Name")
	}
	ident, err := e.identity(ctx, s.Dir)
	if err != nil {
		return r, err
	}
	quick := e.quickKey(ident, s)
	prev, intact := readStamp(s.Out)
	r.GoVersion = identValue(ident, "GOVERSION")
	// A stamp without the build's arguments is of an older kiln: plan again.
	if intact && prev.Quick == quick && len(prev.Args) > 0 && unchanged(prev.Inputs) {
		prev.fill(&r)
		r.Status = UpToDate
		return r, nil
	}
	next, env, args, err := e.plan(ctx, s, ident, quick)
	if err != nil {
		return r, err
	}
	next.fill(&r) // the decisions hold for a failed build too
	if intact && prev.Key == next.Key {
		next.SHA256, next.Size = prev.SHA256, prev.Size
		next.fill(&r)
		r.Status = UpToDate
		return r, writeStamp(s.Out, next)
	}

	// Temporary outputs of an earlier run that was killed (mage passes on
	// SIGINT, but SIGKILL and SIGTERM end it without clean-up).
	if stale, _ := filepath.Glob(filepath.Join(filepath.Dir(s.Out), "."+filepath.Base(s.Out)+".tmp-*")); len(stale) > 0 {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	tmp, err := atomicfile.TempPath(s.Out)
	if err != nil {
		return r, err
	}
	defer os.Remove(tmp) // no-op after the rename
	full := append([]string{"build", "-o", tmp}, args...)
	if _, err := e.run(ctx, s.Dir, env, full...); err != nil {
		return r, err
	}
	if err := s.applyPost(ctx, tmp); err != nil {
		return r, err
	}
	sum, size, err := checksum.File(tmp)
	if err != nil {
		return r, err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return r, err
	}
	if err := ctx.Err(); err != nil {
		return r, err
	}
	if err := os.Rename(tmp, s.Out); err != nil {
		return r, fmt.Errorf("write %s: %w", s.Out, err)
	}
	next.SHA256, next.Size = sum, size
	if err := writeStamp(s.Out, next); err != nil {
		return r, err
	}
	next.fill(&r)
	r.Status = Built
	return r, nil
}

// plan decides how s is built (cgo or not, the C compiler, the go build
// arguments) and computes the key of its inputs. The decision and the key
// are kept in the engine's plan cache under the quick key: a build whose
// output was deleted but whose inputs did not change (a clean dist/ with a
// warm cache, as in CI) then skips `go list` like an up-to-date one.
func (e *Engine) plan(ctx context.Context, s Spec, ident, quick string) (stamp, []string, []string, error) {
	listEnv := e.platformEnv(s, true, "")
	st, hit := e.loadPlan(quick)
	var pkgs []pkg
	if !hit {
		var err error
		if pkgs, err = e.listDeps(ctx, s, listEnv); err != nil {
			return st, nil, nil, err
		}
		if err := checkMain(s, pkgs); err != nil {
			return st, nil, nil, err
		}
		st = stamp{CgoPackages: cgoPackages(pkgs)}
		if st.Cgo, err = useCgo(s, st.CgoPackages); err != nil {
			return st, nil, nil, err
		}
		if !st.Cgo && len(st.CgoPackages) > 0 {
			// Built without the cgo files: key on the files that build.
			st.CgoLeftOut = st.CgoPackages
			if pkgs, err = e.listDeps(ctx, s, e.platformEnv(s, false, "")); err != nil {
				return st, nil, nil, err
			}
		}
	}
	var extLink []string
	if st.Cgo {
		var err error
		if st.CC, extLink, err = cgoToolchain(s.Platform, e.host, s.CC, st.CgoPackages, listEnv); err != nil {
			return st, nil, nil, err
		}
	}
	env := e.platformEnv(s, st.Cgo, st.CC)
	args, tags := buildArgs(s, st.Cgo, extLink)
	st.Tags, st.Quick, st.Args, st.Env = tags, quick, args, keyEnv(env)
	st.Static = linkedStatic(s.Platform, st.Cgo, extLink, goFlags(env, ident)+" "+strings.Join(s.Flags, " "))
	if hit {
		return st, env, args, nil
	}

	// Everything that determines the output goes into the key.
	h := sha256.New()
	fmt.Fprintf(h, "kiln-build-2\n%s\n", ident)
	for _, kv := range st.Env {
		fmt.Fprintf(h, "env %s\n", kv)
	}
	fmt.Fprintf(h, "args %q\n", args)
	io.WriteString(h, s.postKey())
	if v := s.VCS; v != nil {
		fmt.Fprintf(h, "vcs %s %s %s\n", v.Revision, v.Time.UTC().Format(time.RFC3339), v.Tag)
	}
	modInputs, err := hashModules(h, s.Dir, env, pkgs)
	if err != nil {
		return st, nil, nil, err
	}
	inputs, err := hashSources(h, pkgs)
	if err != nil {
		return st, nil, nil, err
	}
	st.Key = hex.EncodeToString(h.Sum(nil))
	st.Inputs = slices.Concat(moduleInputs(s.Dir), modInputs, inputs)
	e.savePlan(st)
	return st, env, args, nil
}

// useCgo decides whether s builds with cgo, given the non-standard
// packages that need it.
func useCgo(s Spec, cgoPkgs []string) (bool, error) {
	switch s.Cgo {
	case CgoAuto, "":
		return len(cgoPkgs) > 0, nil
	case CgoOn:
		return true, nil
	case CgoOff:
		return false, nil
	}
	return false, fmt.Errorf("unknown cgo mode %q (want auto, on or off)", s.Cgo)
}

// BuildVar reports whether an environment variable can change what go
// build produces: the variables Result.Env records (GO*, CGO_*, CC, CXX),
// not the ones that only say where the go command keeps or fetches things.
func BuildVar(k string) bool {
	if whereVars[k] {
		return false
	}
	return strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "CC" || k == "CXX"
}

// keyEnv returns the entries of env that can change what go build
// produces (BuildVar), in order.
func keyEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); BuildVar(k) {
			out = append(out, kv)
		}
	}
	return out
}

// whereVars say where the go command keeps or fetches things, not what it
// builds: with -trimpath the same sources give the same bytes whatever
// they are, so they stay out of the key — which then is the same on every
// machine (shards merged from CI runners with their own caches agree).
var whereVars = map[string]bool{
	"GOCACHE": true, "GOCACHEPROG": true, "GOMODCACHE": true, "GOPATH": true, "GOENV": true, "GOTMPDIR": true,
	"GOPROXY": true, "GOSUMDB": true, "GOPRIVATE": true, "GONOPROXY": true, "GONOSUMDB": true, "GOINSECURE": true,
	"GOVCS": true, "GOAUTH": true, "GOTELEMETRY": true, "GOTELEMETRYDIR": true, "GOROOT": true,
}

// buildArgs returns the go build arguments after "-o out" and the tags.
func buildArgs(s Spec, cgo bool, extLink []string) ([]string, []string) {
	tags := slices.Clone(s.Tags)
	if s.Static || cgo && s.Platform.OS == "linux" {
		for _, t := range []string{"netgo", "osusergo"} {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
	}
	ld := append([]string{"-s", "-w"}, s.Stamp.flags()...)
	ld = append(ld, extLink...)
	ld = append(ld, s.LDFlags...)
	// VCS stamping only for a clean checkout, whose facts the key holds:
	// otherwise the tree's state (vcs.modified flips with any untracked
	// file) would reach the binary beyond what the key can see. Explicit
	// either way, over any -buildvcs in GOFLAGS.
	vcs := "-buildvcs=false"
	if s.VCS != nil {
		vcs = "-buildvcs=true"
	}
	args := []string{"-trimpath", vcs, "-ldflags", joinLDFlags(ld)}
	args = append(args, s.Flags...)
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	return append(args, s.Main), tags
}

// joinLDFlags quotes the elements of -ldflags the way the go command splits
// them (cmd/internal/quoted).
func joinLDFlags(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		switch {
		case strings.ContainsRune(a, '"'): // with ' as well, it cannot be passed at all
			q[i] = "'" + a + "'"
		case a == "" || strings.ContainsAny(a, " \t\n'"):
			q[i] = `"` + a + `"`
		default:
			q[i] = a
		}
	}
	return strings.Join(q, " ")
}
