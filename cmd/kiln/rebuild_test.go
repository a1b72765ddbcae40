package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/evidence/audit"
	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/release"
)

// TestRebuildThirdParty: a real CLI from the module proxy
// (github.com/rakyll/hey v0.1.4: go 1.13, a vendor directory), committed
// to a fresh repository and packaged, is rebuilt by `kiln check --rebuild`
// from its provenance and that local repository alone, with an empty
// build cache: the archive, the SBOM and the provenance's parameters are
// identical. With the archive's binary swapped for one a compromised
// builder made (another string linked in, the checksums updated), the
// rebuild names the archive, the entry and the sections that differ.
func TestRebuildThirdParty(t *testing.T) {
	if testing.Short() {
		t.Skip("a module from the proxy, rebuilt twice with an empty cache")
	}
	testtool.Need(t, "git")
	repo := heyRepo(t)
	dir := filepath.Join(t.TempDir(), "release")
	packageRelease(t, repo, dir)
	const tarball = "hey_0.1.4_linux_amd64.tar.gz"

	rep, rb, out := rebuildCheck(t, dir, exitOK)
	want := map[string]bool{tarball: false, "hey_0.1.4_linux_amd64_hey.spdx.json": false, "hey_0.1.4.intoto.json": false}
	for _, r := range rep.Results {
		if _, ok := want[r.File]; ok && r.Claim == "rebuild" && r.Status == audit.OK {
			want[r.File] = true
		}
		if r.File == "hey_0.1.4.intoto.json" && r.Claim == "rebuild" && !strings.Contains(r.Detail, "ran the 1 recorded go builds exactly") {
			t.Errorf("the provenance's rebuild row does not say the recorded go build ran exactly: %s", r.Detail)
		}
	}
	for f, ok := range want {
		if !ok {
			t.Errorf("no ok rebuild row for %s:\n%s", f, out)
		}
	}
	if rb.Source == "" || rb.Kept != "" {
		t.Errorf("rebuild report %+v: want a source and nothing kept", rb)
	}

	// The compromised builder's binary, in the archive, the checksums
	// updated to match.
	bin := filepath.Join(t.TempDir(), "hey")
	if _, err := command(context.Background(), repo, env("GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS="),
		"go", "build", "-trimpath", "-buildvcs=false", "-o", bin, "-ldflags", "-s -w -X main.usage=pwned", "."); err != nil {
		t.Fatal(err)
	}
	evil, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	swapEntry(t, dir, tarball, "hey", evil)
	updateSumsIn(t, dir, "hey_0.1.4_checksums.txt", tarball)
	rep, rb, out = rebuildCheck(t, dir, exitFailed)
	found := false
	for _, r := range rep.Failed() {
		if r.File == tarball && r.Claim == "rebuild" && strings.Contains(r.Detail, "entry hey: first difference at byte") &&
			strings.Contains(r.Detail, "sections that differ: ") {
			found = true
			t.Logf("%s", r.Detail)
		}
	}
	if !found {
		t.Errorf("no failed rebuild row for %s naming the entry and its sections:\n%s", tarball, out)
	}
	if rb.Kept == "" {
		t.Errorf("the rebuilt files were not kept for inspection")
	}
}

// TestRebuildSample: the signed sample release — two binaries, the
// service a static cgo build with musl-gcc on linux, windows too — is
// rebuilt from its provenance and the local repository alone: every go
// build runs exactly as recorded and the archives and SBOMs are identical.
func TestRebuildSample(t *testing.T) {
	if testing.Short() {
		t.Skip("the sample release rebuilt with an empty cache")
	}
	dir, s := sampleCopy(t)
	rep, rb, out := rebuildCheck(t, dir, exitOK, "--source", s.repo, "--key", pub("key.pub"))
	ok := 0
	for _, r := range rep.Results {
		if r.Claim == "rebuild" && r.Status == audit.OK {
			ok++
		}
	}
	// 2 archives, 4 SBOMs, the provenance's builds.
	if ok != 7 || rb.Kept != "" {
		t.Errorf("%d ok rebuild rows, want 7, nothing kept:\n%s", ok, out)
	}
}

// rebuildCheck runs kiln check --rebuild --json with flags on dir and
// wants code.
func rebuildCheck(t *testing.T, dir string, code int, flags ...string) (*audit.Report, *rebuildReport, string) {
	t.Helper()
	args := append(append([]string{"check", "--rebuild", "--json"}, flags...), dir)
	stdout, stderr, got := kilnEnv(t, env("TMPDIR="+t.TempDir()), args...)
	if got != code {
		t.Fatalf("kiln check --rebuild = exit %d, want %d\n%s\n%s", got, code, stdout, stderr)
	}
	var out struct {
		audit.Report
		Rebuild *rebuildReport `json:"rebuild"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.Rebuild == nil {
		t.Fatalf("--json printed %v:\n%s", err, stdout)
	}
	return &out.Report, out.Rebuild, stdout + stderr
}

// heyRepo copies hey v0.1.4 from the module cache into a new git
// repository with one commit.
func heyRepo(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "hey")
	testtool.CopyModule(t, "github.com/rakyll/hey@v0.1.4", dir)
	gitEnv := env("GIT_AUTHOR_NAME=kiln", "GIT_AUTHOR_EMAIL=kiln@example.invalid", "GIT_COMMITTER_NAME=kiln",
		"GIT_COMMITTER_EMAIL=kiln@example.invalid", "GIT_AUTHOR_DATE=2025-05-06T07:08:09Z", "GIT_COMMITTER_DATE=2025-05-06T07:08:09Z")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "hey v0.1.4"}} {
		if _, err := command(ctx, dir, gitEnv, "git", args...); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// packageRelease builds and packages the repository's release for
// linux/amd64 with kiln's defaults and copies its published files
// (archives, checksums, SBOMs, provenance) into dir.
func packageRelease(t *testing.T, repo, dir string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dist := filepath.Join(t.TempDir(), "dist")
	vars := map[string]string{"KILN_MATRIX": "linux/amd64", "KILN_VERSION": "0.1.4", "KILN_OUT": dist}
	var log bytes.Buffer
	p, err := release.Resolve(ctx, release.Settings{Verify: release.VerifySettings{NoRun: true}},
		release.WithDir(repo), release.WithEnv(func(k string) string { return vars[k] }), release.WithOutput(&log))
	if err != nil {
		t.Fatal(err)
	}
	for _, stage := range []func(context.Context) error{p.Build, p.Verify, p.Package} {
		if err := stage(ctx); err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
	}
	if err := copyPublished(dist, dir); err != nil {
		t.Fatal(err)
	}
}

// recordedRelease is a provenance's record of two binaries: app (the
// module root) for linux/amd64 and windows/amd64, and appd, a static cgo
// build for linux/amd64 with its own -ldflags and CGO_CFLAGS, all with
// GOFLAGS and GOTOOLCHAIN from the environment.
func recordedRelease() *provenance.Release {
	const commit = "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff"
	stamp := "-s -w -X example.com/app/internal/v.Version=v1.2.3 -X main.commit=" + commit
	base := []string{"GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"}
	env := func(extra ...string) []string { return append(slices.Clone(base), extra...) }
	r := &provenance.Release{Source: provenance.Source{URI: "git+https://example.com/app", Commit: commit}}
	r.External = provenance.External{Version: "v1.2.3", Matrix: []string{"linux/amd64", "windows/amd64"},
		Module: "example.com/app", ModuleDir: "app",
		Binaries: []provenance.Binary{{Name: "app", Main: "example.com/app", CgoMode: "auto"},
			{Name: "appd", Main: "example.com/app/cmd/appd", Tags: []string{"netgo"}, Cgo: true, CgoMode: "on", Platforms: "linux/amd64"}}}
	r.Internal = provenance.Internal{GoVersion: "go1.26.8", Builds: []provenance.Build{
		{Binary: "app", Platform: "linux/amd64", Args: []string{"-trimpath", "-buildvcs=false", "-ldflags", stamp, "."},
			Env: env("GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")},
		{Binary: "app", Platform: "windows/amd64", Args: []string{"-trimpath", "-buildvcs=false", "-ldflags", stamp, "."},
			Env: env("GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")},
		{Binary: "appd", Platform: "linux/amd64",
			Args: []string{"-trimpath", "-buildvcs=false", "-ldflags", stamp + ` -linkmode external -extldflags -static -X "main.motd=hello world"`,
				"-tags", "netgo,osusergo", "./cmd/appd"},
			Env: env("CGO_CFLAGS=-O2", "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=1", "CC=musl-gcc")},
	}}
	return r
}

// TestRebuildSettings: the settings a rebuild uses are read from the
// recorded go builds — the main packages, the stamp variables by their
// values, each binary's own -ldflags and environment, the C compiler, the
// variables every build had — and a record kiln does not write, or one
// its settings cannot express, is refused, not guessed.
func TestRebuildSettings(t *testing.T) {
	rb, err := rebuildSettings(recordedRelease(), "app")
	if err != nil {
		t.Fatal(err)
	}
	s := rb.settings
	if s.Project != "app" || len(s.Binaries) != 2 || rb.moduleDir != "app" || rb.goVersion != "go1.26.8" {
		t.Fatalf("settings %+v", s)
	}
	app, appd := s.Binaries[0], s.Binaries[1]
	if app.Main != "." || appd.Main != "./cmd/appd" || appd.Platforms != "linux/amd64" || appd.Cgo != "on" || app.Cgo != "auto" ||
		!slices.Equal(appd.Tags, []string{"netgo"}) {
		t.Errorf("binaries %+v", s.Binaries)
	}
	if want := (release.StampVars{Version: "example.com/app/internal/v.Version", Commit: "main.commit", Date: "-"}); s.VersionVars != want {
		t.Errorf("VersionVars %+v, want %+v", s.VersionVars, want)
	}
	if len(app.LDFlags) != 0 || !slices.Equal(appd.LDFlags, []string{"-X", "main.motd=hello world"}) {
		t.Errorf("own ldflags %q, %q", app.LDFlags, appd.LDFlags)
	}
	if !slices.Equal(rb.env, []string{"GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"}) || len(app.Env) != 0 ||
		!slices.Equal(appd.Env, []string{"CGO_CFLAGS=-O2"}) || s.CC["linux/amd64"] != "musl-gcc" || len(s.CC) != 1 {
		t.Errorf("env %q, binary env %q, %q, CC %v", rb.env, app.Env, appd.Env, s.CC)
	}

	build := func(p *provenance.Release, bin, pl string) *provenance.Build {
		for i, b := range p.Internal.Builds {
			if b.Binary == bin && b.Platform == pl {
				return &p.Internal.Builds[i]
			}
		}
		t.Fatalf("no build %s %s", bin, pl)
		return nil
	}
	for _, tt := range []struct {
		name string
		edit func(p *provenance.Release)
		want string
	}{
		{"unknown argument", func(p *provenance.Release) {
			b := build(p, "app", "linux/amd64")
			b.Args = append([]string{"-race"}, b.Args...)
		}, `"-race" is not one kiln's engine passes`},
		{"no main package", func(p *provenance.Release) {
			b := build(p, "app", "linux/amd64")
			b.Args = b.Args[:len(b.Args)-1]
		}, "not one kiln's engine passes"},
		{"ldflags without -s -w", func(p *provenance.Release) { build(p, "app", "linux/amd64").Args[3] = "-X main.version=v1.2.3" }, "-s -w"},
		{"unterminated quote", func(p *provenance.Release) { build(p, "app", "linux/amd64").Args[3] = `-s -w "-X a=b` }, "unterminated"},
		{"foreign variable", func(p *provenance.Release) {
			b := build(p, "app", "linux/amd64")
			b.Env = append([]string{"HOME=/root"}, b.Env...)
		}, `"HOME=/root" is not a build variable`},
		{"no CGO_ENABLED", func(p *provenance.Release) {
			b := build(p, "app", "linux/amd64")
			b.Env = b.Env[:len(b.Env)-1]
		}, "CGO_ENABLED"},
		{"GOOS of another platform", func(p *provenance.Release) { build(p, "app", "windows/amd64").Env[2] = "GOOS=linux" }, "GOOS=windows"},
		{"two toolchains", func(p *provenance.Release) { p.Internal.GoVersion = "go1.26.8, go1.25.1" }, "one Go toolchain"},
		{"no binaries", func(p *provenance.Release) { p.External.Binaries = nil }, "no version, matrix, binaries or builds"},
		{"build of an unlisted binary", func(p *provenance.Release) { p.External.Binaries = p.External.Binaries[:1] }, "does not list"},
		{"no cgo mode", func(p *provenance.Release) { p.External.Binaries[0].CgoMode = "" }, "cgo mode"},
		{"module dir outside", func(p *provenance.Release) { p.External.ModuleDir = "../elsewhere" }, "inside the repository"},
		{"no module dir", func(p *provenance.Release) { p.External.ModuleDir = "" }, "inside the repository"},
		{"tags not kiln's", func(p *provenance.Release) { build(p, "appd", "linux/amd64").Args[5] = "netgo" }, `-tags "netgo"`},
		{"cgo without static link", func(p *provenance.Release) { build(p, "appd", "linux/amd64").Args[3] = "-s -w -X main.motd=x" }, "links with"},
		{"own ldflags per platform", func(p *provenance.Release) {
			build(p, "app", "windows/amd64").Args[3] += " -X main.os=windows"
		}, "-ldflags differ between its platforms"},
		{"env per platform", func(p *provenance.Release) {
			b := build(p, "app", "windows/amd64")
			b.Env = append([]string{"CGO_CFLAGS=-O3"}, b.Env...)
		}, "environment differs between its platforms"},
		{"another main package", func(p *provenance.Release) { p.External.Binaries[0].Main = "example.com/app/cmd/other" }, "externalParameters name"},
		{"stamps differ", func(p *provenance.Release) {
			build(p, "app", "windows/amd64").Args[3] = "-s -w -X main.commit=" + p.Source.Commit
		}, "one set of variables"},
	} {
		p := recordedRelease()
		tt.edit(p)
		if _, err := rebuildSettings(p, "app"); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: rebuildSettings = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestCompareBuilds: a go build the rebuild ran differently from the
// record — another argument, another build variable, one missing or one
// more — is named; GOTOOLCHAIN may differ only when the rebuild set it.
func TestCompareBuilds(t *testing.T) {
	rec := recordedRelease().Internal.Builds
	if d := compareBuilds(rec, rec, false); len(d) != 0 {
		t.Errorf("compareBuilds(same) = %q", d)
	}
	otherToolchain := func(bs []provenance.Build) {
		for i := range bs {
			bs[i].Env = slices.Clone(bs[i].Env)
			bs[i].Env[1] = "GOTOOLCHAIN=go1.26.8"
		}
	}
	for _, tt := range []struct {
		name         string
		edit         func(bs []provenance.Build) []provenance.Build
		toolchainSet bool
		want         string
	}{
		{"argument", func(bs []provenance.Build) []provenance.Build {
			bs[0].Args = append([]string{"-a"}, bs[0].Args[1:]...)
			return bs
		}, false, "build app linux/amd64: go build"},
		{"variable", func(bs []provenance.Build) []provenance.Build {
			bs[2].Env = append([]string{"GOEXPERIMENT=jsonv2"}, bs[2].Env...)
			return bs
		}, false, "build appd linux/amd64: environment"},
		{"toolchain", func(bs []provenance.Build) []provenance.Build { otherToolchain(bs); return bs }, false, "environment"},
		{"toolchain set, another variable", func(bs []provenance.Build) []provenance.Build {
			otherToolchain(bs)
			bs[0].Env[0] = "GOFLAGS=-mod=vendor"
			return bs
		}, true, "environment"},
		{"missing", func(bs []provenance.Build) []provenance.Build { return bs[1:] }, false, "build app linux/amd64: not rebuilt"},
		{"extra", func(bs []provenance.Build) []provenance.Build {
			return append(bs, provenance.Build{Binary: "app", Platform: "linux/arm64"})
		}, false, "build app linux/arm64: rebuilt, but not recorded"},
	} {
		got := compareBuilds(rec, tt.edit(slices.Clone(recordedRelease().Internal.Builds)), tt.toolchainSet)
		if len(got) == 0 || !strings.Contains(got[0], tt.want) {
			t.Errorf("%s: compareBuilds = %q, want a difference containing %q", tt.name, got, tt.want)
		}
	}
	ran := slices.Clone(recordedRelease().Internal.Builds)
	otherToolchain(ran)
	if d := compareBuilds(rec, ran, true); len(d) != 0 {
		t.Errorf("compareBuilds with GOTOOLCHAIN set by the rebuild = %q, want no difference", d)
	}
}

// TestGoEnv: the rebuild's go command sees exactly the recorded build
// variables (this shell's dropped), an empty cache, no go env file; a
// recorded toolchain other than this machine's is asked for with
// GOTOOLCHAIN, and said.
func TestGoEnv(t *testing.T) {
	t.Setenv("CGO_CFLAGS", "-O3")
	local, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(t.TempDir(), "cache")
	rb := &rebuild{env: []string{"GOFLAGS=-mod=mod", "GOTOOLCHAIN=local"}, goVersion: strings.TrimSpace(string(local))}
	env, note, err := rb.goEnv(context.Background(), t.TempDir(), cache)
	if err != nil || note != "" {
		t.Fatalf("goEnv = %v, note %q", err, note)
	}
	var build []string
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); gobuild.BuildVar(k) || k == "GOCACHE" || k == "GOENV" {
			build = append(build, kv)
		}
	}
	if want := []string{"GOFLAGS=-mod=mod", "GOTOOLCHAIN=local", "GOCACHE=" + filepath.Join(cache, "go"), "GOENV=off"}; !slices.Equal(build, want) {
		t.Errorf("the go command's build variables %q, want %q", build, want)
	}
	rb.goVersion = "go1.25.1"
	env, note, err = rb.goEnv(context.Background(), t.TempDir(), cache)
	if err != nil || !strings.Contains(note, "GOTOOLCHAIN=go1.25.1") || !slices.Contains(env, "GOTOOLCHAIN=go1.25.1") || slices.Contains(env, "GOTOOLCHAIN=local") {
		t.Errorf("another recorded toolchain: goEnv = %v, note %q, env %q", err, note, env)
	}
}

// FuzzRebuildSettings: a downloaded provenance is untrusted; no statement
// makes reading its builds panic.
func FuzzRebuildSettings(f *testing.F) {
	for _, r := range []*provenance.Release{recordedRelease()} {
		r.Subjects = []provenance.Subject{{Name: "app_1.2.3_linux_amd64.tar.gz", SHA256: strings.Repeat("a", 64)}}
		r.BuilderID = "https://github.com/kiln-build/kiln@devel"
		data, err := provenance.Statement(*r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := provenance.Read(data)
		if err != nil {
			return
		}
		if rb, err := rebuildSettings(p, "app"); err == nil && !filepath.IsLocal(rb.moduleDir) {
			t.Fatalf("module directory %q leaves the clone", rb.moduleDir)
		}
	})
}
