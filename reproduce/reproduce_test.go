package reproduce

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/release"
)

// TestReproduce: a packaged (and signed) release of a committed module
// rebuilds identically from a clone with an empty cache, the signatures
// skipped; then a binary swapped for
// another build of the same source with other ldflags, its manifest entry
// updated to match (a compromised builder), fails reproduce with the
// binary named and where it differs.
func TestReproduce(t *testing.T) {
	dir := releasetest.Module(t)
	t.Setenv("TMPDIR", t.TempDir()) // the rebuild's clone, caches and kept files
	releasetest.GitRepo(t, dir)
	env := []string{"KILN_MATRIX=linux/amd64,windows/amd64"}
	plantest.MustRun(t, dir, env, (*release.Plan).Build)
	plantest.MustRun(t, dir, env, (*release.Plan).Verify)
	key := releasetest.NewKey(t, t.TempDir(), "unused")
	plantest.MustRun(t, dir, append(env, "KILN_SIGNING_KEY="+key.PEM), (*release.Plan).Package) // signed: reproduce skips the bundles
	out := plantest.MustRun(t, dir, env, reproduceStage)
	for _, want := range []string{"same     tool_linux_amd64/tool", "same     tool_windows_amd64/tool.exe", ".tar.gz", "_checksums.txt",
		".intoto.json", "_linux_amd64_tool.spdx.json", "identical to a rebuild", ".intoto.json.sigstore.json: a signature (the rebuild signs nothing"} {
		if !strings.Contains(out, want) {
			t.Errorf("reproduce output lacks %q:\n%s", want, out)
		}
	}

	// The compromised builder: other ldflags, the manifest updated to match.
	dist := filepath.Join(dir, "dist")
	bin := filepath.Join(dist, "tool_linux_amd64", "tool")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-o", bin,
		"-ldflags", "-s -w -X main.version=v6.6.6", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	m, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		if a.Path == "tool_linux_amd64/tool" {
			a, _ = artifact.Describe(dist, a)
			m.Put(a)
		}
	}
	if err := m.Save(dist); err != nil {
		t.Fatal(err)
	}
	out, err = plantest.Run(t, dir, env, reproduceStage)
	if err == nil {
		t.Fatalf("reproduce of a swapped binary passed:\n%s", out)
	}
	msg := err.Error()
	for _, want := range []string{"1 of", "tool_linux_amd64/tool (binary)", "first difference at byte", "sections that differ: ", "rebuilt files kept in"} {
		if !strings.Contains(msg, want) {
			t.Errorf("reproduce error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "windows") {
		t.Errorf("reproduce blames an identical artifact:\n%s", msg)
	}
	t.Logf("%s", msg)
}

// TestReproduceDirty: a work tree with uncommitted changes is refused,
// with the changed files listed, before anything is built.
func TestReproduceDirty(t *testing.T) {
	dir := releasetest.Module(t)
	releasetest.GitRepo(t, dir)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(releasetest.ToolMain+"\n// changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := plantest.Run(t, dir, nil, reproduceStage)
	if err == nil || !strings.Contains(err.Error(), "uncommitted change") || !strings.Contains(err.Error(), "modified: main.go") {
		t.Fatalf("reproduce of a dirty tree = %v, want a refusal listing main.go\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist")); err == nil {
		t.Errorf("a refused reproduce created dist/")
	}
}

// TestReproduceSampleApp: the sample app (a static cgo service with musl
// and a pure-Go client), packaged with its unit, rebuilds identically.
func TestReproduceSampleApp(t *testing.T) {
	if testing.Short() {
		t.Skip("a cold cgo build")
	}
	testtool.Need(t, "musl-gcc")
	t.Setenv("TMPDIR", t.TempDir())
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "sample-app")
	testtool.CopySampleApp(t, root, dir)
	releasetest.GitRepo(t, dir)
	s := release.Settings{
		Binaries: []release.Binary{{Main: "."}, {Main: "./cmd/samplectl"}},
		Verify:   release.VerifySettings{NoRun: true},
		Package:  release.PackageSettings{NoImage: true, Service: &release.Service{Description: "sample"}},
	}
	env := map[string]string{"KILN_MATRIX": "linux/amd64", "KILN_JOBS": "2"}
	var out bytes.Buffer
	p := plantest.MustResolve(t, dir, s, &out, env)
	ctx := context.Background()
	for _, stage := range []func(context.Context) error{p.Build, p.Verify, p.Package, func(ctx context.Context) error { return Run(ctx, p) }} {
		if err := stage(ctx); err != nil {
			t.Fatalf("%v\n%s", err, out.String())
		}
	}
	for _, want := range []string{"same     sample-app_linux_amd64/sample-app", "same     sample-app_linux_amd64/samplectl", ".service", "identical to a rebuild"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	m, _ := artifact.Load(filepath.Join(dir, "dist"))
	if a, ok := releasetest.FindPath(m, "sample-app_linux_amd64/sample-app"); !ok || !a.Cgo {
		t.Errorf("the service was not a cgo build: %+v", a)
	}
}

// TestReproduceThirdParty: a real CLI from the module proxy
// (github.com/rakyll/hey v0.1.4: go 1.13, a vendor directory, x/net),
// committed to a fresh repository, is built, verified, packaged with its
// SBOM and provenance, and reproduced byte for byte from a clone with an
// empty build cache.
func TestReproduceThirdParty(t *testing.T) {
	if testing.Short() {
		t.Skip("a module from the proxy, built twice")
	}
	t.Setenv("TMPDIR", t.TempDir())
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/rakyll/hey@v0.1.4")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download: %v", err)
	}
	var mod struct{ Dir string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		t.Fatalf("go mod download printed %s: %v", out, err)
	}
	dir := filepath.Join(t.TempDir(), "hey")
	if err := os.CopyFS(dir, os.DirFS(mod.Dir)); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil {
			mode := os.FileMode(0o644)
			if d.IsDir() {
				mode = 0o755
			}
			os.Chmod(path, mode) // the module cache's copies are read-only
		}
		return err
	})
	releasetest.GitRepo(t, dir)
	env := []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=0.1.4"}
	plantest.MustRun(t, dir, env, (*release.Plan).Build)
	plantest.MustRun(t, dir, env, (*release.Plan).Verify)
	plantest.MustRun(t, dir, env, (*release.Plan).Package)
	got := plantest.MustRun(t, dir, env, reproduceStage)
	for _, want := range []string{"same     hey_linux_amd64/hey", "_linux_amd64_hey.spdx.json", ".intoto.json", "identical to a rebuild"} {
		if !strings.Contains(got, want) {
			t.Errorf("reproduce output lacks %q:\n%s", want, got)
		}
	}
}

// TestReproduceCommitInjection: a manifest whose commit is a git option
// (--pathspec-from-file=<a secret file>) is refused when reproduce reads
// it, naming the value, before git ever sees it: git is never run with
// it, and the secret is never printed.
func TestReproduceCommitInjection(t *testing.T) {
	dir := releasetest.Module(t)
	t.Setenv("TMPDIR", t.TempDir())
	releasetest.GitRepo(t, dir)
	env := []string{"KILN_MATRIX=linux/amd64"}
	plantest.MustRun(t, dir, env, (*release.Plan).Build)
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("TOPSECRET-7f3a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dist := filepath.Join(dir, "dist")
	m, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	evil := "--pathspec-from-file=" + secret
	m.Commit = evil
	for i := range m.Artifacts {
		m.Artifacts[i].Commit = evil
	}
	releasetest.WriteManifest(t, dist, *m)

	// Every git the stage runs, logged: the real git behind a shim.
	real := testtool.Need(t, "git")[0]
	shim, log := t.TempDir(), filepath.Join(t.TempDir(), "git.log")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >> " + log + "\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(shim, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", shim+string(os.PathListSeparator)+os.Getenv("PATH"))

	out, err := plantest.Run(t, dir, env, reproduceStage)
	if err == nil || !strings.Contains(err.Error(), "not a full git object name") || !strings.Contains(err.Error(), "--pathspec-from-file") {
		t.Fatalf("reproduce of a manifest whose commit is an option = %v, want a refusal naming the value\n%s", err, out)
	}
	if strings.Contains(out+err.Error(), "TOPSECRET") {
		t.Errorf("reproduce printed the secret file:\n%v\n%s", err, out)
	}
	calls, _ := os.ReadFile(log)
	if len(calls) == 0 {
		t.Fatal("the git shim logged nothing: the test does not see git")
	}
	if strings.Contains(string(calls), "pathspec-from-file") {
		t.Errorf("git ran with the manifest's commit:\n%s", calls)
	}
}

// reproduceStage is Run as a stage of plantest's helpers.
func reproduceStage(p *release.Plan, ctx context.Context) error { return Run(ctx, p) }

func TestMain(m *testing.M) { releasetest.Main(m) }
