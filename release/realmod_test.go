package release

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
)

// Real modules from the module proxy, each copied once into a git
// repository tagged with a version its module path accepts, released
// through the real stages (Resolve, Build, Verify) for linux/amd64 unless
// the case needs darwin. They need the proxy (or a warm module cache):
// skipped under -short.

// realModule copies the source of modver (module@version) into a new
// git repository, with extra files (path → content; "" removes one),
// commits it, tags it and returns its directory.
func realModule(t *testing.T, modver, tag string, extra map[string]string) string {
	t.Helper()
	src := testtool.ModuleSource(t, modver)
	testtool.Need(t, "git")
	t.Setenv("SOURCE_DATE_EPOCH", "")
	dir := filepath.Join(t.TempDir(), filepath.Base(strings.Split(modver, "@")[0]))
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	commitAll(t, dir, extra, tag)
	return dir
}

// commitAll writes files into dir ("" removes one), commits everything
// (making dir a repository first) and tags the commit when tag is set.
func commitAll(t *testing.T, dir string, files map[string]string, tag string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if data == "" {
			os.Remove(p)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); err != nil {
		git(t, dir, "init", "-q", "-b", "main")
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "import")
	if tag != "" {
		git(t, dir, "tag", tag)
	}
}

// realRelease resolves s for dir and platforms, builds and verifies; it
// returns the manifest and what the stages printed, and the first error.
func realRelease(t *testing.T, dir, platforms string, s Settings) (*artifact.Manifest, string, error) {
	t.Helper()
	testtool.Need(t, "bwrap")
	var w lockedBuffer
	s.Package.NoImage = true
	p, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&w),
		WithEnv(func(k string) string { return map[string]string{"KILN_MATRIX": platforms}[k] }))
	if err == nil {
		err = p.Build(context.Background())
	}
	if err == nil {
		err = p.Verify(context.Background())
	}
	m, lerr := artifact.Load(filepath.Join(dir, "dist"))
	if lerr != nil {
		t.Fatal(lerr)
	}
	return m, w.String(), err
}

// mustRealRelease is realRelease that fails the test on an error.
func mustRealRelease(t *testing.T, dir, platforms string, s Settings) (*artifact.Manifest, string) {
	t.Helper()
	m, out, err := realRelease(t, dir, platforms, s)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return m, out
}

// shippedOn returns the names of the binaries built for a platform.
func shippedOn(m *artifact.Manifest, platform string) []string {
	var names []string
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		if a.Platform().String() == platform {
			names = append(names, a.Name)
		}
	}
	slices.Sort(names)
	return names
}

// entry returns the manifest's binary of a name and platform.
func binaryEntry(t *testing.T, m *artifact.Manifest, name, platform string) artifact.Artifact {
	t.Helper()
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		if a.Name == name && a.Platform().String() == platform {
			return a
		}
	}
	t.Fatalf("no binary %s for %s in the manifest", name, platform)
	return artifact.Artifact{}
}

// wantTag checks that the linux/amd64 binary name prints the tag when run
// with args, and that verify found it.
func wantTag(t *testing.T, dir string, m *artifact.Manifest, name, tag string, args ...string) {
	t.Helper()
	a := binaryEntry(t, m, name, "linux/amd64")
	out, err := exec.Command(filepath.Join(dir, "dist", a.Path), args...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), strings.TrimPrefix(tag, "v")) {
		t.Errorf("%s %s: %v, printed %q; want %s", name, strings.Join(args, " "), err, out, tag)
	}
	if v := a.Verify.Version; v == nil || v.Found == "" || strings.TrimPrefix(v.Found, "v") != strings.TrimPrefix(tag, "v") {
		t.Errorf("%s: verify's version check %+v, want %s found", name, v, tag)
	}
}

// TestRealMainVersion: tar-split keeps its version in main.Version (a
// capital V, initialised): zero config stamps it.
func TestRealMainVersion(t *testing.T) {
	dir := realModule(t, "github.com/vbatts/tar-split@v0.12.2", "v0.98.7", nil)
	m, _ := mustRealRelease(t, dir, "linux/amd64", Settings{})
	if got := shippedOn(m, "linux/amd64"); !slices.Equal(got, []string{"tar-split"}) {
		t.Errorf("shipped %q", got)
	}
	if a := binaryEntry(t, m, "tar-split", "linux/amd64"); a.Stamped != "-X main.Version" {
		t.Errorf("stamped %q", a.Stamped)
	}
	wantTag(t, dir, m, "tar-split", "v0.98.7", "--version")
}

// TestRealTask: go-task keeps its version in internal/version.version (a
// go:embed string) and has a bool named Version elsewhere; its
// .goreleaser.yml (v2) ships cmd/task only, not the release script and the
// test helper under cmd/. It prints the version with the commit as build
// metadata.
func TestRealTask(t *testing.T) {
	dir := realModule(t, "github.com/go-task/task/v3@v3.54.0", "v3.98.7", nil)
	m, _ := mustRealRelease(t, dir, "linux/amd64", Settings{})
	if got := shippedOn(m, "linux/amd64"); !slices.Equal(got, []string{"task"}) {
		t.Errorf("shipped %q, want task alone", got)
	}
	if a := binaryEntry(t, m, "task", "linux/amd64"); !strings.Contains(a.Stamped, "github.com/go-task/task/v3/internal/version.version") {
		t.Errorf("stamped %q", a.Stamped)
	}
	wantTag(t, dir, m, "task", "v3.98.7", "--version")
}

// TestRealBuildInfo: xcaddy has no version variable and reads
// debug.ReadBuildInfo: Go's VCS stamping of the clean checkout gives it
// the tag.
func TestRealBuildInfo(t *testing.T) {
	dir := realModule(t, "github.com/caddyserver/xcaddy@v0.4.5", "v0.98.7", nil)
	m, _ := mustRealRelease(t, dir, "linux/amd64", Settings{})
	if got := shippedOn(m, "linux/amd64"); !slices.Equal(got, []string{"xcaddy"}) {
		t.Errorf("shipped %q", got)
	}
	if a := binaryEntry(t, m, "xcaddy", "linux/amd64"); a.Stamped != "build info" || !a.VCS {
		t.Errorf("stamped %q, vcs %v; want the build info of a VCS-stamped build", a.Stamped, a.VCS)
	}
	wantTag(t, dir, m, "xcaddy", "v0.98.7", "version")
}

// TestRealToolsRoot: syncthing's root is package main only under
// //go:build tools: its programs are the three under cmd/, each stamped
// in lib/build.Version. (Its GUI assets are generated by its build script;
// its noassets tag builds without them.)
func TestRealToolsRoot(t *testing.T) {
	dir := realModule(t, "github.com/syncthing/syncthing@v1.30.0", "v1.98.7", nil)
	m, _ := mustRealRelease(t, dir, "linux/amd64", Settings{Tags: []string{"noassets"}})
	if got := shippedOn(m, "linux/amd64"); !slices.Equal(got, []string{"stdiscosrv", "strelaysrv", "syncthing"}) {
		t.Errorf("shipped %q", got)
	}
	for _, name := range []string{"stdiscosrv", "strelaysrv", "syncthing"} {
		if a := binaryEntry(t, m, name, "linux/amd64"); a.Stamped != "-X github.com/syncthing/syncthing/lib/build.Version" {
			t.Errorf("%s stamped %q", name, a.Stamped)
		}
		wantTag(t, dir, m, name, "v1.98.7", "--version")
	}
}
