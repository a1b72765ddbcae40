package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/evidence/audit"
	"github.com/kiln-build/kiln/evidence/provenance"
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

// rebuildCheck runs kiln check --rebuild --json on dir and wants code.
func rebuildCheck(t *testing.T, dir string, code int) (*audit.Report, *rebuildReport, string) {
	t.Helper()
	stdout, stderr, got := kilnEnv(t, env("TMPDIR="+t.TempDir()), "check", "--rebuild", "--json", dir)
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

// TestRebuildSettings: the settings a rebuild uses are the provenance's
// records, and a record kiln does not write is refused, not guessed.
func TestRebuildSettings(t *testing.T) {
	prov := &audit.Provenance{Commit: "c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff"}
	prov.External.Version = "v1.2.3"
	prov.External.Matrix = []string{"linux/amd64", "windows/amd64"}
	prov.External.Binaries = []provenance.Binary{{Name: "app", Main: "example.com/app"},
		{Name: "appd", Main: "example.com/app/cmd/appd", Tags: []string{"netgo"}, Platforms: "linux/amd64"}}
	prov.Internal = provenance.Internal{GoVersion: "go1.26.8",
		Flags: []string{"-trimpath", "-buildvcs=false",
			"-ldflags=-s -w -X example.com/app/internal/v.Version=v1.2.3 -X main.commit=c0ffeec0ffeec0ffeec0ffeec0ffeec0ffeec0ff",
			"appd: -ldflags=-extldflags -static"},
		Env: map[string]string{"GOFLAGS": "-mod=mod", "appd:CC": "musl-gcc"}}
	rb, err := rebuildSettings(prov, "app")
	if err != nil {
		t.Fatal(err)
	}
	s := rb.settings
	if s.Project != "app" || len(s.Binaries) != 2 || s.Binaries[1].Platforms != "linux/amd64" || s.Binaries[1].Tags[0] != "netgo" {
		t.Errorf("settings %+v", s)
	}
	if want := (release.StampVars{Version: "example.com/app/internal/v.Version", Commit: "main.commit", Date: "-"}); s.VersionVars != want {
		t.Errorf("VersionVars %+v, want %+v", s.VersionVars, want)
	}
	if got := strings.Join(s.Binaries[1].LDFlags, " "); got != "-extldflags -static" || len(s.Binaries[0].LDFlags) != 0 {
		t.Errorf("per-binary ldflags %q", got)
	}
	if len(s.Binaries[1].Env) != 1 || s.Binaries[1].Env[0] != "CC=musl-gcc" || rb.env["GOFLAGS"] != "-mod=mod" {
		t.Errorf("env %v, binary env %v", rb.env, s.Binaries[1].Env)
	}

	for name, edit := range map[string]func(p *audit.Provenance){
		"unknown flag":     func(p *audit.Provenance) { p.Internal.Flags = append(p.Internal.Flags, "-race") },
		"unknown ldflag":   func(p *audit.Provenance) { p.Internal.Flags = []string{"-ldflags=-s -linkmode=internal"} },
		"unknown env":      func(p *audit.Provenance) { p.Internal.Env = map[string]string{"HOME": "/root"} },
		"two toolchains":   func(p *audit.Provenance) { p.Internal.GoVersion = "go1.26.8, go1.25.1" },
		"no binaries":      func(p *audit.Provenance) { p.External.Binaries = nil },
		"unknown binary":   func(p *audit.Provenance) { p.Internal.Flags = []string{"other: -ldflags=-X a=b"} },
		"-X without value": func(p *audit.Provenance) { p.Internal.Flags = []string{"-ldflags=-X main.version"} },
	} {
		p := *prov
		p.Internal.Flags = slices.Clone(prov.Internal.Flags)
		edit(&p)
		if _, err := rebuildSettings(&p, "app"); err == nil {
			t.Errorf("%s: rebuildSettings accepted it", name)
		}
	}
}
