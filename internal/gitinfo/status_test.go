package gitinfo

import (
	"context"
	"debug/buildinfo"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// write writes files (slash paths) below dir.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStatus lists each kind of change, and only changes: ignored files
// and the output directory that ignores itself keep the tree clean.
func TestStatus(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	dir := t.TempDir()
	runGit(t, dir, "init", "-q")
	write(t, dir, map[string]string{"a": "a", "b": "b", "c": "c", "s/d": "d", ".gitignore": "*.log\n"})
	runGit(t, dir, "add", ".")
	runGit(t, dir, "commit", "-qm", "one")
	if err := Clean(ctx, dir); err != nil {
		t.Fatalf("Clean(fresh commit) = %v", err)
	}
	write(t, dir, map[string]string{"x.log": "ignored", "dist/.gitignore": "*\n", "dist/app": "binary"})
	if changes, err := Status(ctx, dir); err != nil || len(changes) != 0 {
		t.Fatalf("Status(ignored files only) = %v, %v; want clean", changes, err)
	}

	write(t, dir, map[string]string{"a": "A", "b": "B", "new file": "n", "ud/f": "f", "s/e": "e"})
	runGit(t, dir, "add", "b")
	write(t, dir, map[string]string{"b": "BB"})
	if err := os.Remove(filepath.Join(dir, "c")); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, "rm", "-q", "--cached", "s/d")
	changes, err := Status(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range changes {
		got = append(got, c.String())
	}
	want := []string{"modified: a", "staged and modified: b", "deleted: c", "staged: s/d", "untracked: new file", "untracked: s/", "untracked: ud/"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Status =\n  %v\nwant\n  %v", got, want)
	}
	// From a subdirectory: the same repository-wide answer.
	if sub, _ := Status(ctx, filepath.Join(dir, "ud")); len(sub) != len(changes) {
		t.Errorf("Status(subdirectory) = %v, want the repository's %d changes", sub, len(changes))
	}
	err = Clean(ctx, dir)
	var de *DirtyError
	if !errors.As(err, &de) || len(de.Changes) != 7 || !strings.Contains(err.Error(), "7 uncommitted change(s)") || !strings.Contains(err.Error(), "\n  untracked: new file") {
		t.Errorf("Clean = %v, want a *DirtyError listing 7 changes", err)
	}
	if _, err := Status(ctx, t.TempDir()); err == nil {
		t.Error("Status(not a repository) = nil")
	}
}

func TestParseStatusDamaged(t *testing.T) {
	for _, in := range []string{"X", "?? ", "MMx a", " M"} {
		if _, err := parseStatus(in); err == nil {
			t.Errorf("parseStatus(%q) = nil error", in)
		}
	}
}

// TestStatusAgreesWithGo builds a program with VCS stamping: the go
// command's vcs.modified and Status agree on an untracked file and on an
// ignored one.
func TestStatusAgreesWithGo(t *testing.T) {
	testtool.Need(t, "git")
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, map[string]string{"go.mod": "module example.com/m\n\ngo 1.21\n", "main.go": "package main\n\nfunc main() {}\n", ".gitignore": "/bin/\n*.log\n"})
	runGit(t, dir, "init", "-q")
	runGit(t, dir, "add", ".")
	runGit(t, dir, "commit", "-qm", "one")
	modified := func() string {
		t.Helper()
		out := filepath.Join(dir, "bin", "m")
		cmd := exec.Command("go", "build", "-buildvcs=true", "-o", out, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, msg)
		}
		bi, err := buildinfo.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.modified" {
				return s.Value
			}
		}
		t.Fatal("no vcs.modified in the build info")
		return ""
	}
	for _, tt := range []struct {
		file, want string
	}{{"x.log", "false"}, {"notes.txt", "true"}} {
		write(t, dir, map[string]string{tt.file: "x"})
		changes, err := Status(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := modified(); got != tt.want || (len(changes) > 0) != (tt.want == "true") {
			t.Errorf("with %s: go says vcs.modified=%s, Status = %v; want both %s", tt.file, got, changes, tt.want)
		}
	}
}

// TestDirtyReason: untracked files alone are named as git lists them;
// any other change makes the tree one with uncommitted changes; three are
// named, the rest counted.
func TestDirtyReason(t *testing.T) {
	untracked := func(p string) Change { return Change{Path: p, State: "untracked"} }
	for _, tc := range []struct {
		changes []Change
		want    string
	}{
		{[]Change{untracked("notes.txt")}, "git sees files it does not track (?? notes.txt): commit, ignore or remove them"},
		{[]Change{untracked("a"), untracked("b"), untracked("c"), untracked("d")}, "git sees files it does not track (?? a, ?? b, ?? c and 1 more): commit, ignore or remove them"},
		{[]Change{untracked("a"), {Path: "main.go", State: "modified"}}, "the work tree has uncommitted changes (untracked: a, modified: main.go)"},
		{nil, "the work tree has uncommitted changes"},
	} {
		if got := DirtyReason(tc.changes); got != tc.want {
			t.Errorf("DirtyReason(%v) = %q, want %q", tc.changes, got, tc.want)
		}
	}
}

// TestUnstamped: only a clean checkout at the version set (or none) is
// stamped; each other tree says why not.
func TestUnstamped(t *testing.T) {
	clean := Info{Version: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567"}
	dirty := clean
	dirty.Dirty, dirty.Changes = true, []Change{{Path: "main.go", State: "modified"}}
	for _, tc := range []struct {
		info          Info
		version, want string
	}{
		{clean, "", ""},
		{clean, "v1.2.3", ""},
		{Info{Version: DevVersion}, "", "not a git checkout"},
		{dirty, "", "the work tree has uncommitted changes (modified: main.go)"},
		{dirty, "v2.0.0", "the work tree has uncommitted changes (modified: main.go)"},
		{clean, "v2.0.0", "the version is set to v2.0.0, which the commit's tag does not give (v1.2.3)"},
	} {
		if got := tc.info.Unstamped(tc.version); got != tc.want {
			t.Errorf("%+v.Unstamped(%q) = %q, want %q", tc.info, tc.version, got, tc.want)
		}
	}
}
