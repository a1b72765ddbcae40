package gitinfo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// goEnv is the environment for the go command in these tests: no go.work
// from the caller, no network, no ambient GOFLAGS, plus extra.
func goEnv(extra ...string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOWORK=") || strings.HasPrefix(kv, "GOFLAGS=") || strings.HasPrefix(kv, "GOPROXY=")
	})
	return append(env, append([]string{"GOFLAGS=", "GOPROXY=off"}, extra...)...)
}

// TestReadSourcesGoWork is issue 16's case 2: a go.work in a parent
// directory replaces a dependency with a local fork. The build uses the
// fork; ReadSources names the go.work and the fork (path relative to the
// module, content digest) and calls the build not reproducible from the
// commit alone.
func TestReadSourcesGoWork(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	base := t.TempDir()
	write(t, base, map[string]string{
		"go.work":         "go 1.21\n\nuse ./app\n\nreplace example.com/dep v1.0.0 => ./fork\n",
		"app/go.mod":      "module example.com/app\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n",
		"app/main.go":     "package main\n\nimport \"example.com/dep\"\n\nfunc main() { println(dep.Name) }\n",
		"fork/go.mod":     "module example.com/dep\n\ngo 1.21\n",
		"fork/dep.go":     "package dep\n\nconst Name = \"the local fork\"\n",
		"fork/.git/HEAD":  "ref: refs/heads/main\n",
		"other/go.mod":    "module example.com/other\n\ngo 1.21\n",
		"elsewhere/x.txt": "",
	})
	app := filepath.Join(base, "app")
	runGit(t, app, "init", "-q")
	runGit(t, app, "add", ".")
	runGit(t, app, "commit", "-qm", "one")

	// The build does use the fork.
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = app
	cmd.Env = goEnv()
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "the local fork") {
		t.Fatalf("go run with the parent go.work: %v\n%s", err, out)
	}

	s, err := ReadSources(ctx, app, goEnv())
	if err != nil {
		t.Fatal(err)
	}
	work, _ := os.ReadFile(filepath.Join(base, "go.work"))
	forkDigest, err := DirDigest(filepath.Join(base, "fork"))
	if err != nil {
		t.Fatal(err)
	}
	want := []LocalSource{{From: "go.work replace", Module: "example.com/dep", Path: "../fork", Digest: forkDigest}}
	if s.GoWork != "../go.work" || s.GoWorkDigest != digestBytes(work) || s.GoWorkInRepo || !slices.Equal(s.Local, want) || s.Reproducible() {
		t.Errorf("ReadSources = %+v\nwant go.work ../go.work (%s), not in the repository, local %+v, not reproducible", s, digestBytes(work), want)
	}

	// More uses and replaces, and a go.mod replace to a directory.
	write(t, base, map[string]string{
		"go.work":    "go 1.21\n\nuse (\n\t./app\n\t./other\n)\n\nreplace example.com/dep => ./fork\n",
		"app/go.mod": "module example.com/app\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/gone => ../elsewhere\n\nreplace example.com/proxy => example.com/proxy2 v1.0.0\n",
	})
	s, err = ReadSources(ctx, app, goEnv())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range s.Local {
		got = append(got, l.From+" "+l.Module+" "+l.Path)
	}
	if w := []string{"go.mod replace example.com/gone ../elsewhere", "go.work replace example.com/dep ../fork", "go.work use example.com/other ../other"}; !slices.Equal(got, w) {
		t.Errorf("Local = %q, want %q", got, w)
	}

	// GOWORK=off: no go.work, only the module's own replace.
	s, err = ReadSources(ctx, app, goEnv("GOWORK=off"))
	if err != nil || s.GoWork != "" || len(s.Local) != 1 || s.Local[0].Path != "../elsewhere" || s.Reproducible() {
		t.Errorf("ReadSources(GOWORK=off) = %+v, %v; want the go.mod replace only", s, err)
	}
	// GOWORK naming a file elsewhere is the one in effect.
	write(t, base, map[string]string{"elsewhere/ws.work": "go 1.21\n\nuse ../app\n"})
	s, err = ReadSources(ctx, app, goEnv("GOWORK="+filepath.Join(base, "elsewhere", "ws.work")))
	if err != nil || s.GoWork != "../elsewhere/ws.work" {
		t.Errorf("ReadSources(GOWORK=elsewhere) = %+v, %v", s, err)
	}
	// A use of a directory without go.mod is an error naming it.
	write(t, base, map[string]string{"go.work": "go 1.21\n\nuse ./app\nuse ./nomod\n"})
	if _, err := ReadSources(ctx, app, goEnv()); err == nil || !strings.Contains(err.Error(), "go.work use ./nomod") {
		t.Errorf("ReadSources(use of a directory without go.mod) = %v", err)
	}
}

// TestReadSourcesInRepo: a replace to a directory committed with the
// module is in the commit (reproducible); the same directory untracked is
// not.
func TestReadSourcesInRepo(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"go.mod":         "module example.com/m\n\ngo 1.21\n\nrequire example.com/local v0.0.0\n\nreplace example.com/local => ./local\n",
		"local/go.mod":   "module example.com/local\n\ngo 1.21\n",
		"local/local.go": "package local\n",
	})
	runGit(t, dir, "init", "-q")
	runGit(t, dir, "add", "go.mod")
	runGit(t, dir, "commit", "-qm", "one")
	s, err := ReadSources(ctx, dir, goEnv("GOWORK=off"))
	if err != nil || len(s.Local) != 1 || s.Local[0].InRepo || s.Local[0].Path != "local" || s.Reproducible() {
		t.Errorf("untracked local replace: %+v, %v; want it not in the repository", s, err)
	}
	runGit(t, dir, "add", ".")
	runGit(t, dir, "commit", "-qm", "two")
	s, err = ReadSources(ctx, dir, goEnv("GOWORK=off"))
	if err != nil || len(s.Local) != 1 || !s.Local[0].InRepo || !s.Reproducible() {
		t.Errorf("committed local replace: %+v, %v; want it in the repository, reproducible", s, err)
	}
}

// TestDirDigest: the digest follows content and names, not times or .git.
func TestDirDigest(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{"a.go": "package a\n", "sub/b.go": "package b\n", "a/b": "x"})
	d1, err := DirDigest(dir)
	if err != nil || !strings.HasPrefix(d1, "sha256:") || len(d1) != 71 {
		t.Fatalf("DirDigest = %q, %v", d1, err)
	}
	digest := func() string {
		t.Helper()
		d, err := DirDigest(dir)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	write(t, dir, map[string]string{".git/HEAD": "x", "sub/.git": "gitdir: elsewhere"})
	if d := digest(); d != d1 {
		t.Error("a .git directory or file changed the digest")
	}
	other := t.TempDir()
	write(t, other, map[string]string{"sub/b.go": "package b\n", "a/b": "x", "a.go": "package a\n"})
	if d, _ := DirDigest(other); d != d1 {
		t.Error("the same tree elsewhere has another digest")
	}
	for _, change := range []func(){
		func() { write(t, dir, map[string]string{"a.go": "package a // changed\n"}) },
		func() { write(t, dir, map[string]string{"new.go": ""}) },
		func() { os.Rename(filepath.Join(dir, "new.go"), filepath.Join(dir, "renamed.go")) },
		func() { os.Symlink("a.go", filepath.Join(dir, "link")) },
	} {
		before := digest()
		change()
		if digest() == before {
			t.Error("a change kept the digest")
		}
	}
	if _, err := DirDigest(filepath.Join(dir, "missing")); err == nil {
		t.Error("DirDigest(missing) = nil error")
	}
}

// TestReadSourcesAbsolute: a directive that names its directory by an
// absolute path is recorded with that path, the same wherever the module
// is checked out (a relative form would change with the checkout's depth,
// and so would a provenance that records it); a relative one stays
// relative to the module.
func TestReadSourcesAbsolute(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	fork := filepath.Join(base, "fork")
	write(t, base, map[string]string{"fork/go.mod": "module example.com/dep\n\ngo 1.21\n", "fork/dep.go": "package dep\n"})
	var paths []string
	for _, at := range []string{"a/app", "b/c/app"} {
		write(t, base, map[string]string{
			at + "/go.mod":                   "module example.com/app\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => " + fork + "\n\nreplace example.com/rel => ../rel\n",
			filepath.Dir(at) + "/rel/go.mod": "module example.com/rel\n\ngo 1.21\n",
		})
		s, err := ReadSources(ctx, filepath.Join(base, at), goEnv("GOWORK=off"))
		if err != nil || len(s.Local) != 2 {
			t.Fatalf("ReadSources(%s) = %+v, %v", at, s, err)
		}
		for _, l := range s.Local {
			paths = append(paths, l.Module+" "+l.Path)
		}
	}
	abs := "example.com/dep " + filepath.ToSlash(fork)
	if want := []string{abs, "example.com/rel ../rel", abs, "example.com/rel ../rel"}; !slices.Equal(paths, want) {
		t.Errorf("paths = %q, want %q", paths, want)
	}
}
