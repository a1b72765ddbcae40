package targets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/go-multierror"
	"golang.org/x/sync/errgroup"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/verify"
)

// Verify proves every binary in dist/artifacts.json is what it claims: format, arch, static linkage, build info, and a smoke run in an empty root.
func Verify(ctx context.Context) error {
	p, err := resolve(ctx)
	if err != nil {
		return err
	}
	m, err := artifact.Load(p.out)
	if err != nil {
		return err
	}
	bins := m.Filter(artifact.ByKind(artifact.Binary))
	if len(bins) == 0 {
		return fmt.Errorf("no binaries in %s: run mage crossall (or build, static) first", filepath.Join(p.out, artifact.FileName))
	}
	results := make([]artifact.VerifyResult, len(bins))
	errs := make([]error, len(bins))
	var g errgroup.Group
	g.SetLimit(p.jobs)
	for i, a := range bins {
		g.Go(func() error {
			results[i], errs[i] = p.verifyOne(ctx, a)
			return nil
		})
	}
	_ = g.Wait()

	fmt.Printf("  %-20s %8s  %-6s %-4s %-10s %-8s %s\n", "PLATFORM", "SIZE", "STATIC", "CGO", "GO", "STRIPPED", "RAN")
	var failed *multierror.Error
	for i, a := range bins {
		r := results[i]
		fmt.Printf("  %-20s %6.1fMB  %-6s %-4s %-10s %-8s %s\n", a.Platform(), float64(a.Size)/1e6,
			yesNo(r.Static), yesNo(r.Cgo), r.GoVersion, yesNo(r.Stripped), r.Ran)
		if errs[i] != nil {
			failed = multierror.Append(failed, fmt.Errorf("%s %s: %w", a.Platform(), a.Path, errs[i]))
		}
		a.Verify = &results[i]
		m.Put(a)
	}
	if err := m.Save(p.out); err != nil {
		return err
	}
	if failed != nil {
		failed.ErrorFormat = func(es []error) string {
			lines := make([]string, len(es))
			for i, e := range es {
				lines[i] = "  * " + strings.ReplaceAll(e.Error(), "\n", "\n    ")
			}
			return fmt.Sprintf("verify: %d of %d artifact(s) failed:\n%s", len(es), len(bins), strings.Join(lines, "\n"))
		}
		return failed
	}
	fmt.Printf("verify: %d artifact(s) ok in %.2fs\n", len(bins), time.Since(p.start).Seconds())
	return nil
}

// verifyOne checks one binary; the result is filled as far as it got.
func (p *project) verifyOne(ctx context.Context, a artifact.Artifact) (artifact.VerifyResult, error) {
	res := artifact.VerifyResult{Ran: "-"}
	path := filepath.Join(p.out, filepath.FromSlash(a.Path))
	got, err := artifact.Describe(p.out, a)
	if err != nil {
		res.Problems = append(res.Problems, err.Error())
		return res, fmt.Errorf("missing or unreadable (run mage crossall again): %w", err)
	}
	var errs *multierror.Error
	if got.SHA256 != a.SHA256 {
		errs = multierror.Append(errs, fmt.Errorf("sha256 %s does not match the manifest's %s: the file changed after it was built", got.SHA256, a.SHA256))
	}
	rep, err := verify.ReadFile(path)
	if err != nil {
		res.Problems = append(res.Problems, err.Error())
		return res, multierror.Append(errs, err).ErrorOrNil()
	}
	res.Format, res.Static, res.Stripped, res.GoVersion = rep.Format, rep.Static, rep.Stripped, rep.GoVersion
	res.Cgo = rep.Settings["CGO_ENABLED"] == "1"
	cgo := a.Cgo
	if err := verify.Check(rep, verify.Expect{Platform: a.Platform(), Static: a.Static, Cgo: &cgo, Tags: a.Tags}); err != nil {
		errs = multierror.Append(errs, err)
	}
	switch {
	case a.OS != "linux":
		res.Ran = "not run: not a linux binary"
	case Config.Verify.NoRun:
		res.Ran = "not run: Config.Verify.NoRun"
	default:
		timeout := Config.Verify.Timeout
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		args := Config.Verify.Args
		if args == nil {
			args = []string{"-version"}
		}
		rctx, cancel := context.WithTimeout(ctx, timeout)
		rr := verify.Run(rctx, path, a.Platform(), args, Config.Verify.Exit)
		cancel()
		switch {
		case rr.Err != nil:
			res.Ran = fmt.Sprintf("failed (exit %d)", rr.ExitCode)
			errs = multierror.Append(errs, rr.Err)
		case !rr.Ran:
			res.Ran = "not run: " + rr.NotRun
			if os.Getenv("CI") != "" {
				errs = multierror.Append(errs, fmt.Errorf("run check could not run in CI: %s", rr.NotRun))
			}
		default:
			res.Ran = fmt.Sprintf("ok (exit %d)", rr.ExitCode)
		}
	}
	err = errs.ErrorOrNil()
	if err != nil {
		for _, e := range errs.Errors {
			res.Problems = append(res.Problems, e.Error())
		}
		errs.ErrorFormat = func(es []error) string {
			s := make([]string, len(es))
			for i, e := range es {
				s[i] = e.Error()
			}
			return strings.Join(s, "; ")
		}
	}
	res.OK = err == nil
	return res, err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
