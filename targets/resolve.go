package targets

import (
	"context"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/matrix"
)

// project is the configuration resolved for one run: Config, then the
// environment, then defaults.
type project struct {
	dir, modPath, name, main, out string
	info                          gitinfo.Info
	jobs                          int
	cgo                           gobuild.CgoMode
	static                        bool
	universe                      *matrix.Universe
	engine                        *gobuild.Engine
	start                         time.Time
}

// resolve reads Config and the KILN_* variables. Every bad value is reported.
func resolve(ctx context.Context) (*project, error) {
	c := Config
	start := time.Now()
	dir, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	p := &project{dir: dir, start: start}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return nil, fmt.Errorf("no go.mod in %s: run mage from the root of your Go module", dir)
	}
	p.modPath = modfile.ModulePath(data)
	if p.modPath == "" {
		return nil, fmt.Errorf("go.mod in %s has no module line", dir)
	}
	var errs []string
	p.name = pick(os.Getenv("KILN_NAME"), c.Name, defaultName(p.modPath))
	if !validName(p.name) {
		errs = append(errs, fmt.Sprintf("KILN_NAME/Config.Name %q: want a file name of letters, digits, '.', '_' or '-'", p.name))
	}
	p.out = pick(os.Getenv("KILN_OUT"), c.Out, "dist")
	p.jobs = gobuild.DefaultJobs()
	if c.Jobs > 0 {
		p.jobs = c.Jobs
	}
	if v := os.Getenv("KILN_JOBS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Sprintf("KILN_JOBS=%q: want a whole number >= 1", v))
		}
		p.jobs = n
	}
	p.cgo = gobuild.CgoMode(pick(os.Getenv("KILN_CGO"), c.Cgo, string(gobuild.CgoAuto)))
	if p.cgo != gobuild.CgoAuto && p.cgo != gobuild.CgoOn && p.cgo != gobuild.CgoOff {
		errs = append(errs, fmt.Sprintf("KILN_CGO/Config.Cgo %q: want auto, on or off", p.cgo))
	}
	p.static = c.Static
	if v := os.Getenv("KILN_STATIC"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("KILN_STATIC=%q: want true or false", v))
		}
		p.static = b
	}
	if p.info, err = gitinfo.Read(ctx, dir); err != nil {
		errs = append(errs, err.Error())
	}
	if v := pick(os.Getenv("KILN_VERSION"), c.Version, ""); v != "" {
		nv, err := gitinfo.Normalize(v)
		if err != nil {
			errs = append(errs, "KILN_VERSION/Config.Version: "+err.Error())
		}
		p.info.Version, p.info.Note = nv, ""
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("kiln configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	p.main = pick(os.Getenv("KILN_MAIN"), c.Main, "")
	var opts []gobuild.Option
	opts = append(opts, gobuild.WithJobs(p.jobs))
	if verbose() {
		opts = append(opts, gobuild.WithVerbose(os.Stdout))
	}
	if p.engine, err = gobuild.New(opts...); err != nil {
		return nil, err
	}
	if p.main == "" {
		if p.main, err = findMain(ctx, dir, p.modPath); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func pick(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func validName(s string) bool { return nameRE.MatchString(s) }

// defaultName is the last element of the module path without a major
// version suffix: example.com/tool/v2 → tool.
func defaultName(modPath string) string {
	prefix, _, ok := module.SplitPathVersion(modPath)
	if !ok || prefix == "" {
		prefix = modPath
	}
	return path.Base(prefix)
}

// findMain returns "." when the module root is package main, else the one
// main package of the module.
func findMain(ctx context.Context, dir, modPath string) (string, error) {
	if isMainDir(dir) {
		return ".", nil
	}
	cmd := execGo(ctx, dir, "list", "-f", "{{if eq .Name \"main\"}}{{.ImportPath}}{{end}}", "./...")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("look for the main package (go list ./...): %w%s", err, stderrOf(err))
	}
	var mains []string
	for _, l := range strings.Fields(string(out)) {
		// mage's magefiles directory is package main, but not the program.
		if l != modPath+"/magefiles" {
			mains = append(mains, l)
		}
	}
	switch len(mains) {
	case 0:
		return "", fmt.Errorf("module %s has no main package: nothing to build (set Config.Main or KILN_MAIN)", modPath)
	case 1:
		return mains[0], nil
	}
	return "", fmt.Errorf("module %s has %d main packages: %s; choose one with Config.Main or KILN_MAIN", modPath, len(mains), strings.Join(mains, ", "))
}

// isMainDir reports whether a non-test Go file in dir declares package main.
func isMainDir(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		if pkg := packageClause(f); pkg == "main" && !isMagefile(f) {
			return true
		}
	}
	return false
}

// packageClause returns the package name of a Go file, parsing only up
// to the package clause ("" when the file is not Go).
func packageClause(file string) string {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.PackageClauseOnly)
	if err != nil {
		return ""
	}
	return f.Name.Name
}

// isMagefile reports whether a file is a magefile, which is package main
// but not the program: as mage decides, a file the build tag mage brings
// in (not merely one that mentions mage, like //go:build !mage).
func isMagefile(file string) bool {
	dir, name := filepath.Split(file)
	withMage := build.Default
	withMage.BuildTags = append(slices.Clone(withMage.BuildTags), "mage")
	in, err := withMage.MatchFile(dir, name)
	if err != nil || !in {
		return false
	}
	out, err := build.Default.MatchFile(dir, name)
	return err == nil && !out
}

func hostPlatform() matrix.Platform {
	return matrix.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}
}
