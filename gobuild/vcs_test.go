package gobuild_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// vcsMain prints what Go's VCS stamping recorded.
const vcsMain = `package main

import (
	"fmt"
	"runtime/debug"
)

func main() {
	bi, _ := debug.ReadBuildInfo()
	s := map[string]string{}
	for _, kv := range bi.Settings {
		s[kv.Key] = kv.Value
	}
	fmt.Println(bi.Main.Version, s["vcs.revision"], s["vcs.modified"])
}
`

// gitRepo makes a committed, tagged repository of a module printing its
// build info, and returns its directory and commit.
func gitRepo(t *testing.T, dir, tag string) (string, time.Time) {
	t.Helper()
	writeTree(t, dir, map[string]string{"go.mod": "module example.com/vcs\n\ngo 1.22\n", "main.go": vcsMain})
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@example.invalid", "-c", "user.name=t"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_COMMITTER_DATE=2024-05-06T07:08:09Z", "GIT_AUTHOR_DATE=2024-05-06T07:08:09Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-qm", "init")
	git("tag", tag)
	sec, _ := strconv.ParseInt(git("log", "-1", "--format=%ct"), 10, 64)
	return git("rev-parse", "HEAD"), time.Unix(sec, 0).UTC()
}

// TestVCSStamping: a Spec with VCS turns Go's stamping on, over an
// ambient GOFLAGS=-buildvcs=false: the binary's build info has the tag as
// the main module's version, the revision and vcs.modified=false; the
// same commit builds the same bytes in another clone; another tag is
// another key; without VCS the version is (devel).
func TestVCSStamping(t *testing.T) {
	testtool.Need(t, "git")
	host := matrix.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}
	root := t.TempDir()
	src := filepath.Join(root, "src")
	rev, when := gitRepo(t, src, "v1.2.3")
	env := append(os.Environ(), "GOFLAGS=-buildvcs=false")
	e := newEngine(t, gobuild.WithEnv(env), gobuild.WithCacheDir(t.TempDir()))
	vcs := &gobuild.VCS{Revision: rev, Time: when, Tag: "v1.2.3"}
	spec := func(dir string, v *gobuild.VCS) gobuild.Spec {
		return gobuild.Spec{Dir: dir, Main: ".", Name: "vcs", Platform: host, VCS: v,
			Stamp: gobuild.Stamp{Vars: gobuild.StampVars{Version: "-", Commit: "-", Date: "-"}},
			Out:   filepath.Join(root, "out-"+filepath.Base(dir)+strconv.FormatBool(v != nil), "vcs")}
	}
	run := func(r gobuild.Result) string {
		t.Helper()
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		out, err := exec.Command(r.Spec.Out).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	on := e.Build(context.Background(), spec(src, vcs))
	if got, want := run(on), "v1.2.3 "+rev+" false"; got != want {
		t.Errorf("with VCS the program printed %q, want %q", got, want)
	}
	off := e.Build(context.Background(), spec(src, nil))
	if got := run(off); got != "(devel)" {
		t.Errorf("without VCS the program printed %q, want (devel) and no revision", got)
	}
	if off.Key == on.Key {
		t.Error("VCS stamping on and off share a key")
	}

	clone := filepath.Join(root, "clone")
	if out, err := exec.Command("git", "clone", "-q", src, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	other := e.Build(context.Background(), spec(clone, vcs))
	if run(other); other.SHA256 != on.SHA256 {
		t.Errorf("the clone built %s, the checkout %s: not reproducible", other.SHA256, on.SHA256)
	}
	if again := e.Build(context.Background(), spec(src, vcs)); again.Status != gobuild.UpToDate {
		t.Errorf("the same facts again: %s, want up to date", again.Status)
	}
	retag := *vcs
	retag.Tag = "v1.2.4"
	if r := e.Build(context.Background(), spec(src, &retag)); r.Key == on.Key || r.Status == gobuild.UpToDate {
		t.Errorf("another tag: %s with key %s; want a new key and a build", r.Status, r.Key)
	}
}
