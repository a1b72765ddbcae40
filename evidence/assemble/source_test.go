package assemble

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// TestReadSource: the module's directory in its repository, the URI given
// or git remote origin's, and the sources besides the commit; outside a
// repository, an error.
func TestReadSource(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	repo := t.TempDir()
	if err := testtool.WriteFiles(repo, map[string]string{"mod/go.mod": "module example.com/m\n\ngo 1.21\n", "mod/m.go": "package m\n"}); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("remote", "add", "origin", "https://github.com/example/m.git")
	git("add", ".")
	git("commit", "-qm", "one")
	env := append(slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "GOFLAGS=") || strings.HasPrefix(kv, "GOWORK=")
	}), "GOFLAGS=", "GOWORK=off", "GOPROXY=off")

	s, err := ReadSource(ctx, filepath.Join(repo, "mod"), "", env)
	if err != nil {
		t.Fatal(err)
	}
	if s.ModuleDir != "mod" || s.URI != gitinfo.SourceURI(ctx, repo) || !strings.Contains(s.URI, "github.com/example/m") || s.Sources == nil || s.Note() != "" {
		t.Errorf("ReadSource(repo/mod) = %+v (note %q), want module dir mod, origin's URI and no other source", s, s.Note())
	}
	if s, err := ReadSource(ctx, repo+"/mod", "git+https://example.com/given", env); err != nil || s.URI != "git+https://example.com/given" {
		t.Errorf("ReadSource with a URI = %+v, %v, want the URI given", s, err)
	}
	if s, err := ReadSource(ctx, repo, "", env); err == nil || !strings.Contains(err.Error(), "go.mod") {
		t.Errorf("ReadSource(the repository's root, which holds no go.mod) = %+v, %v, want an error naming go.mod", s, err)
	}
	if _, err := ReadSource(ctx, t.TempDir(), "", env); err == nil {
		t.Error("ReadSource outside a repository: no error")
	}
}

// TestSourceNote: the note names go.work and the local directories, and
// says whether the commit holds them.
func TestSourceNote(t *testing.T) {
	for _, tc := range []struct {
		src  *gitinfo.Sources
		want string
	}{
		{nil, ""},
		{&gitinfo.Sources{}, ""},
		{&gitinfo.Sources{GoWork: "go.work", GoWorkInRepo: true},
			"records the sources besides the commit that reached the build, the commit holds them: go.work"},
		{&gitinfo.Sources{GoWork: "../go.work", Local: []gitinfo.LocalSource{{From: "go.work use", Module: "example.com/fork", Path: "../fork"}}},
			"records the sources besides the commit that reached the build, not reproducible from the commit alone: ../go.work, ../fork (go.work use example.com/fork)"},
	} {
		if got := (Source{Sources: tc.src}).Note(); got != tc.want {
			t.Errorf("Note(%+v) = %q, want %q", tc.src, got, tc.want)
		}
	}
}

// TestBinariesCgoMode: one mode when every platform has it, else the mode
// that differs from auto with its platforms.
func TestBinariesCgoMode(t *testing.T) {
	amd, arm, darwin := matrix.MustParse("linux/amd64"), matrix.MustParse("linux/arm64"), matrix.MustParse("darwin/arm64")
	bin := func(modes map[matrix.Platform]gobuild.CgoMode) binaries.Bin {
		b := binaries.Bin{Name: "tool", ImportPath: "example.com/tool", Tags: []string{"netgo"}, Builds: map[matrix.Platform]binaries.BinBuild{}}
		for _, pl := range []matrix.Platform{amd, arm, darwin} {
			if m, ok := modes[pl]; ok {
				b.Platforms = append(b.Platforms, pl)
				b.Builds[pl] = binaries.BinBuild{Cgo: m}
			}
		}
		return b
	}
	for _, tc := range []struct {
		modes map[matrix.Platform]gobuild.CgoMode
		want  string
	}{
		{nil, "auto"},
		{map[matrix.Platform]gobuild.CgoMode{amd: "", arm: gobuild.CgoAuto}, "auto"},
		{map[matrix.Platform]gobuild.CgoMode{amd: gobuild.CgoOff, arm: gobuild.CgoOff}, "off"},
		{map[matrix.Platform]gobuild.CgoMode{amd: gobuild.CgoAuto, arm: gobuild.CgoOff, darwin: gobuild.CgoOff}, "off:linux/arm64,darwin/arm64"},
		{map[matrix.Platform]gobuild.CgoMode{amd: gobuild.CgoOn, darwin: ""}, "on:linux/amd64"},
		{map[matrix.Platform]gobuild.CgoMode{amd: gobuild.CgoOn, arm: gobuild.CgoOff, darwin: gobuild.CgoAuto}, "auto"},
	} {
		b := bin(tc.modes)
		got := Binaries([]binaries.Bin{b})
		if len(got) != 1 || got[0].CgoMode != tc.want || got[0].Name != "tool" || got[0].Main != "example.com/tool" ||
			!slices.Equal(got[0].Tags, b.Tags) || !slices.Equal(got[0].Platforms, b.Platforms) {
			t.Errorf("Binaries(%v) = %+v, want cgo mode %q and the binary's name, import path, tags and platforms", tc.modes, got, tc.want)
		}
	}
}
