// Package targets is kiln's mage face. Import it from your magefile:
//
//	import (
//		//mage:import
//		"github.com/kiln-build/kiln/targets"
//	)
//
// and configure it from init() through targets.Config. Every exported
// function of this package is a mage target.
package targets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/magefile/mage/mg"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// Build builds the binary for this machine's platform into dist/.
func Build(ctx context.Context) error {
	p, err := resolve(ctx)
	if err != nil {
		return err
	}
	return p.buildPlatforms(ctx, []matrix.Platform{hostPlatform()}, p.static)
}

// Static builds a fully static binary for this machine's platform (cgo
// programs linked with musl or a static C toolchain).
func Static(ctx context.Context) error {
	p, err := resolve(ctx)
	if err != nil {
		return err
	}
	return p.buildPlatforms(ctx, []matrix.Platform{hostPlatform()}, true)
}

// CrossAll builds every platform of the matrix in parallel (KILN_MATRIX, KILN_SHARD apply).
func CrossAll(ctx context.Context) error {
	return cross(ctx, "")
}

// Cross builds the platforms a selector names: "linux/*,!linux/386", "windows/arm64", "default,linux/riscv64".
func Cross(ctx context.Context, platforms string) error {
	return cross(ctx, platforms)
}

func cross(ctx context.Context, selector string) error {
	p, ps, err := resolveMatrix(ctx, selector)
	if err != nil {
		return err
	}
	return p.buildPlatforms(ctx, ps, p.static)
}

// resolveMatrix resolves the configuration and the platforms a selector
// names ("" = KILN_MATRIX or the configured matrix).
func resolveMatrix(ctx context.Context, selector string) (*project, []matrix.Platform, error) {
	p, err := resolve(ctx)
	if err != nil {
		return nil, nil, err
	}
	ps, err := p.platforms(ctx, selector)
	return p, ps, err
}

// Matrix lists the platforms crossall would build, with the toolchain's facts about each.
func Matrix(ctx context.Context) error {
	p, ps, err := resolveMatrix(ctx, "")
	if err != nil {
		return err
	}
	fmt.Printf("%s %s: %d platforms (main package %s)\n", p.name, p.info.Version, len(ps), p.main)
	for _, pl := range ps {
		in, _ := p.universe.Info(pl)
		var notes []string
		if in.FirstClass {
			notes = append(notes, "first-class")
		}
		if in.CgoSupported {
			notes = append(notes, "cgo")
		}
		fmt.Printf("  %-22s %s\n", pl, strings.Join(notes, ", "))
	}
	return nil
}

// Clean removes the output directory.
func Clean() error {
	out := os.Getenv("KILN_OUT")
	if out == "" {
		out = Config.Out
	}
	if out == "" {
		out = "dist"
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	// Never the module itself or a directory holding it.
	if rel, err := filepath.Rel(abs, wd); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return fmt.Errorf("refusing to remove output directory %q: it contains the working directory %s", out, wd)
	}
	return os.RemoveAll(out)
}

// platforms resolves a selector ("" = KILN_MATRIX or the configured
// matrix) and applies KILN_SHARD.
func (p *project) platforms(ctx context.Context, selector string) ([]matrix.Platform, error) {
	u, err := matrix.Load(ctx, "go", nil)
	if err != nil {
		return nil, err
	}
	p.universe = u
	defaults := matrix.Default
	if Config.Matrix != "" {
		if defaults, err = matrix.Select(u, Config.Matrix, matrix.Default); err != nil {
			return nil, fmt.Errorf("Config.Matrix: %w", err)
		}
	}
	what := "selector"
	if selector == "" {
		selector, what = os.Getenv("KILN_MATRIX"), "KILN_MATRIX"
		if selector == "" {
			selector = "default"
		}
	}
	ps, err := matrix.Select(u, selector, defaults)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w\n(a selector is a comma-separated list of os/arch[/variant], globs like linux/*, !negations and the keywords default, first-class, all)", what, selector, err)
	}
	if v := os.Getenv("KILN_SHARD"); v != "" {
		sh, err := matrix.ParseShard(v)
		if err != nil {
			return nil, fmt.Errorf("KILN_SHARD: %w", err)
		}
		ps = sh.Of(ps)
		if len(ps) == 0 {
			fmt.Printf("shard %s: no platform to build\n", sh)
		}
	}
	return ps, nil
}

// buildPlatforms builds ps, prints a line per platform and a summary, and
// records the binaries in the manifest.
func (p *project) buildPlatforms(ctx context.Context, ps []matrix.Platform, static bool) error {
	if p.info.Note != "" {
		fmt.Println("note:", p.info.Note)
	}
	specs := make([]gobuild.Spec, len(ps))
	for i, pl := range ps {
		specs[i] = gobuild.Spec{
			Dir: p.dir, Main: p.main, Name: p.name, Platform: pl,
			Out:  filepath.Join(p.out, p.name+"_"+pl.Slug(), p.name+pl.Exe()),
			Tags: Config.Tags, LDFlags: Config.LDFlags, Env: Config.Env,
			Stamp: gobuild.Stamp{Version: p.info.Version, Commit: p.info.Commit, Date: p.info.Time},
			Cgo:   p.cgo, CC: Config.CC[pl.String()], Static: static,
		}
	}
	results, buildErr := p.engine.BuildAll(ctx, specs, func(r gobuild.Result) {
		line := fmt.Sprintf("  %-10s %-20s %6.1fs", r.Status, r.Spec.Platform, r.Duration.Seconds())
		if r.Err == nil {
			line += fmt.Sprintf("  %6.1f MB  %s", float64(r.Size)/1e6, r.Spec.Out)
			if r.Cgo {
				line += "  (cgo, " + r.CC + ")"
			}
		}
		fmt.Println(line)
	})
	counts := map[gobuild.Status]int{}
	for _, r := range results {
		counts[r.Status]++
	}
	fmt.Printf("%s %s: %d platform(s): %d built, %d up to date, %d failed in %.2fs\n", p.name, p.info.Version,
		len(results), counts[gobuild.Built], counts[gobuild.UpToDate], counts[gobuild.Failed], time.Since(p.start).Seconds())
	if err := p.record(results, static); err != nil {
		return errors.Join(buildErr, err)
	}
	if errors.Is(buildErr, context.Canceled) || ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	return buildErr
}

// record puts the built binaries into the manifest.
func (p *project) record(results []gobuild.Result, static bool) error {
	m, err := artifact.Load(p.out)
	if err != nil {
		return err
	}
	m.Name, m.Version, m.Commit = p.name, p.info.Version, p.info.Commit
	if !p.info.Time.IsZero() {
		m.Date = p.info.Time.Format(time.RFC3339)
	}
	any := false
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		rel, err := filepath.Rel(p.out, r.Spec.Out)
		if err != nil {
			return err
		}
		pl := r.Spec.Platform
		m.Put(artifact.Artifact{Path: filepath.ToSlash(rel), Kind: artifact.Binary, Name: p.name,
			OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant, Size: r.Size, SHA256: r.SHA256,
			Cgo: r.Cgo, Static: static || pl.OS == "linux" || !r.Cgo, Tags: r.Tags})
		any = true
	}
	if !any {
		return nil
	}
	return m.Save(p.out)
}

func verbose() bool { return mg.Verbose() }

func execGo(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	return cmd
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return "\n" + strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}
