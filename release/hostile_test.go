//go:build unix

package release_test

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
	"github.com/kiln-build/kiln/release"
	"github.com/kiln-build/kiln/reproduce"
	"github.com/kiln-build/kiln/shards"
)

// The hostile dist/ table (issue 16): a released module's output
// directory with a symbolic link in place of each file and directory kiln
// owns, a FIFO in place of its files, a stray artifacts.json, a staging
// directory left by a dead run; every target that writes runs on each: it
// never writes outside the output directory, never deletes a user's file
// and never hangs. One small module, linux/amd64 only.

// hostileBase is a prepared tree: <base>/mod, a committed module with a
// built, verified and packaged release in mod/dist; <base>/shard, a shard
// output of it for merge; <base>/outside, the user's files the links
// point at (copies of kiln's files, so that following a link would look
// like success).
type hostileBase struct{ dir string }

func (b hostileBase) mod() string     { return filepath.Join(b.dir, "mod") }
func (b hostileBase) dist() string    { return filepath.Join(b.dir, "mod", "dist") }
func (b hostileBase) shard() string   { return filepath.Join(b.dir, "shard") }
func (b hostileBase) outside() string { return filepath.Join(b.dir, "outside") }

var hostileEnv = []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=1.0.0"}

// prepareHostile builds the template tree once.
func prepareHostile(t *testing.T) hostileBase {
	t.Helper()
	b := hostileBase{t.TempDir()}
	dir := b.mod()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"go.mod": "module example.com/tool\n\ngo 1.22\n", "main.go": releasetest.ToolMain} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	releasetest.GitRepo(t, dir)
	plantest.MustRun(t, dir, append([]string{"KILN_OUT=" + b.shard()}, hostileEnv...), (*release.Plan).Build)
	for _, stage := range []plantest.Stage{(*release.Plan).Build, (*release.Plan).Verify, (*release.Plan).Package} {
		plantest.MustRun(t, dir, hostileEnv, stage)
	}
	// The user's files: copies of kiln's, and a file of their own.
	o := b.outside()
	copyTree(t, filepath.Join(b.dist(), "tool_linux_amd64"), filepath.Join(o, "platform"))
	for _, f := range []string{"artifacts.json", "tool_1.0.0_linux_amd64.tar.gz", "tool_1.0.0.intoto.json"} {
		copyTree(t, filepath.Join(b.dist(), f), filepath.Join(o, f))
	}
	if err := os.WriteFile(filepath.Join(o, "precious"), []byte("the user's file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

// copyTree copies src (a file or a directory) to dst, keeping modes and
// modification times (so that build stamps stay intact).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(to, fi.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, data, fi.Mode().Perm()); err != nil {
			return err
		}
		return os.Chtimes(to, fi.ModTime(), fi.ModTime())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// hostileState is one hostile output directory: make turns a copy of the
// template into it.
type hostileState struct {
	name string
	make func(t *testing.T, b hostileBase)
	out  string // KILN_OUT, relative to the module ("": dist)
	// refuse are the targets that must fail, each error naming want.
	refuse []string
	want   string
	// reproduce: reproduce applies (it refuses before any rebuild).
	reproduce bool
	// gone is an entry every target that succeeds removes (a dead run's
	// staging).
	gone string
}

// replaceWith removes rel in dist and puts a link to target there (a
// FIFO when target is "").
func replaceWith(rel, target string) func(t *testing.T, b hostileBase) {
	return func(t *testing.T, b hostileBase) {
		p := filepath.Join(b.dist(), filepath.FromSlash(rel))
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		var err error
		if target == "" {
			err = syscall.Mkfifo(p, 0o644)
		} else {
			err = os.Symlink(filepath.Join(b.outside(), target), p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

var allTargets = []string{"crossall", "verify", "package", "merge", "clean"}

func hostileStates() []hostileState {
	const bin, stamp = "tool_linux_amd64/tool", "tool_linux_amd64/.tool.kiln-stamp"
	const archive, prov = "tool_1.0.0_linux_amd64.tar.gz", "tool_1.0.0.intoto.json"
	states := []hostileState{
		{name: "lock link", make: replaceWith(".kiln-lock", "precious"), refuse: allTargets, want: ".kiln-lock", reproduce: true},
		{name: "lock FIFO", make: replaceWith(".kiln-lock", ""), refuse: allTargets, want: ".kiln-lock", reproduce: true},
		{name: "marker link", make: replaceWith(".kiln-output", "precious"), refuse: allTargets, want: ".kiln-output", reproduce: true},
		{name: "marker FIFO", make: replaceWith(".kiln-output", ""), refuse: allTargets, want: ".kiln-output", reproduce: true},
		{name: "manifest link", make: replaceWith("artifacts.json", "artifacts.json"), refuse: []string{"crossall", "verify", "package", "merge"}, want: "artifacts.json", reproduce: true},
		{name: "manifest FIFO", make: replaceWith("artifacts.json", ""), refuse: []string{"crossall", "verify", "package", "merge"}, want: "artifacts.json", reproduce: true},
		{name: "platform directory link", make: replaceWith("tool_linux_amd64", "platform"), refuse: []string{"crossall", "verify", "package", "merge"}, want: "tool_linux_amd64"},
		{name: "binary link", make: replaceWith(bin, "platform/tool"), refuse: []string{"crossall", "verify", "package", "merge"}, want: bin},
		{name: "binary FIFO", make: replaceWith(bin, ""), refuse: []string{"crossall", "verify", "package", "merge"}, want: bin},
		{name: "stamp link", make: replaceWith(stamp, "platform/.tool.kiln-stamp"), refuse: []string{"crossall"}, want: stamp},
		{name: "stamp FIFO", make: replaceWith(stamp, ""), refuse: []string{"crossall"}, want: stamp},
		{name: "archive link", make: replaceWith(archive, archive), refuse: []string{"package"}, want: archive},
		{name: "archive FIFO", make: replaceWith(archive, ""), refuse: []string{"package"}, want: archive},
		{name: "provenance link", make: replaceWith(prov, prov), refuse: []string{"package"}, want: prov},
		{name: "staging directory link", make: replaceWith(".kiln-stage-1", "platform"), gone: ".kiln-stage-1"},
		{name: "stale staging directory", make: func(t *testing.T, b hostileBase) {
			copyTree(t, filepath.Join(b.outside(), "platform"), filepath.Join(b.dist(), ".kiln-merge-2", "tool_linux_amd64"))
		}, gone: ".kiln-merge-2"},
		{name: "stray artifacts.json", out: "../reports", make: func(t *testing.T, b hostileBase) {
			reports := filepath.Join(b.dir, "reports")
			os.MkdirAll(reports, 0o755)
			os.WriteFile(filepath.Join(reports, "artifacts.json"), []byte("not json"), 0o644)
			os.WriteFile(filepath.Join(reports, "notes.txt"), []byte("the user's notes\n"), 0o644)
		}, refuse: allTargets, want: "kiln did not create it", reproduce: true},
	}
	return states
}

// TestHostileDist runs every writing target on every hostile state.
func TestHostileDist(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	start := time.Now()
	tmpl := prepareHostile(t)
	t.Logf("template prepared in %.1fs", time.Since(start).Seconds())
	for _, st := range hostileStates() {
		targets := allTargets
		if st.reproduce {
			targets = append(targets[:len(targets):len(targets)], "reproduce")
		}
		for _, target := range targets {
			t.Run(st.name+"/"+target, func(t *testing.T) {
				b := hostileBase{t.TempDir()}
				copyTree(t, tmpl.dir, b.dir)
				st.make(t, b)
				// What must not change: the user's files outside, the shard,
				// the module but for its output directories and .git (git
				// status refreshes its index).
				watched := map[string]map[string]string{}
				for _, d := range []string{b.outside(), b.shard()} {
					watched[d] = releasetest.Snapshot(t, d)
				}
				modFiles := snapshotExcept(t, b.mod(), "dist", ".git")
				var userFiles map[string]string
				if st.out != "" {
					userFiles = releasetest.Snapshot(t, filepath.Join(b.mod(), st.out))
				}

				out, err := runHostile(t, b, st.out, target)
				t.Logf("%s: %v", target, err)
				for d, before := range watched {
					releasetest.AssertSame(t, target, d, before)
				}
				if after := snapshotExcept(t, b.mod(), "dist", ".git"); !maps.Equal(after, modFiles) {
					t.Errorf("%s changed the module outside dist/", target)
				}
				if userFiles != nil {
					releasetest.AssertSame(t, target, filepath.Join(b.mod(), st.out), userFiles)
				}
				if refused := contains(st.refuse, target) || target == "reproduce"; refused && (err == nil || !strings.Contains(err.Error(), st.want)) {
					t.Errorf("%s on %s = %v, want a refusal naming %s\n%s", target, st.name, err, st.want, out)
				}
				if st.gone != "" {
					if _, lerr := os.Lstat(filepath.Join(b.dist(), st.gone)); err == nil && !os.IsNotExist(lerr) {
						t.Errorf("%s left %s in dist (%v)", target, st.gone, lerr)
					}
				}
			})
		}
	}
	t.Logf("the table ran in %.1fs", time.Since(start).Seconds())
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// snapshotExcept is snapshot of dir without the top-level entries skip.
func snapshotExcept(t *testing.T, dir string, skip ...string) map[string]string {
	t.Helper()
	all := releasetest.Snapshot(t, dir)
	for k := range all {
		top, _, _ := strings.Cut(k, string(filepath.Separator))
		if contains(skip, top) {
			delete(all, k)
		}
	}
	return all
}

// runHostile runs one target on b with a deadline: a target that does not
// return in time hangs (on a FIFO), and the test fails.
func runHostile(t *testing.T, b hostileBase, out, target string) (string, error) {
	t.Helper()
	vars := map[string]string{"KILN_JOBS": "2"}
	for _, kv := range hostileEnv {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if out != "" {
		vars["KILN_OUT"] = out
	}
	getenv := func(k string) string { return vars[k] }
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var w releasetest.LockedBuffer
	done := make(chan error, 1)
	opts := []release.Option{release.WithDir(b.mod()), plantest.Cache(t), release.WithOutput(&w), release.WithEnv(getenv)}
	go func() {
		if target == "clean" {
			done <- release.Clean(ctx, plantest.Settings(), opts...)
			return
		}
		p, err := release.Resolve(ctx, plantest.Settings(), opts...)
		if err != nil {
			done <- err
			return
		}
		switch target {
		case "crossall":
			err = p.Build(ctx)
		case "verify":
			err = p.Verify(ctx)
		case "package":
			err = p.Package(ctx)
		case "merge":
			err = shards.Merge(ctx, p, []string{b.shard()})
		case "reproduce":
			err = reproduce.Run(ctx, p)
		}
		done <- err
	}()
	select {
	case err := <-done:
		return w.String(), err
	case <-time.After(40 * time.Second):
		// Let a writer blocked on a FIFO go, so the test can end.
		filepath.WalkDir(b.dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type()&fs.ModeNamedPipe != 0 {
				if f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
			}
			return nil
		})
		t.Fatalf("%s hangs\n%s", target, w.String())
		return "", nil
	}
}
