package shards

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/gitinfo"
	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack/checksum"
	"github.com/kiln-build/kiln/release"
)

// The sample app's configuration, as its magefile sets it (without the
// opt-in OS packages, and probing each binary in verify's run check).
func sampleSettings() release.Settings {
	return release.Settings{
		Binaries: []release.Binary{{Main: "."}, {Main: "./cmd/samplectl"}},
		Package: release.PackageSettings{
			Service:     &release.Service{Description: "kiln sample HTTP service", Args: []string{"-addr", "127.0.0.1:8080"}},
			Description: "kiln sample HTTP service", License: "Apache-2.0",
			Image: release.Image{ExposedPorts: []string{"8080"}},
		},
	}
}

// sampleMatrix is small and needs no cross C compiler: linux/amd64 builds
// the C component with musl-gcc.
const sampleMatrix = "linux/amd64,windows/amd64,darwin/arm64"

// samplePlan resolves the sample app's plan in dir with the KILN_* values
// in vars (and CI passed through). planCache is another runner's kiln plan
// cache, empty (a shard's CI runner starts without one); "" is the tests'
// plan cache. Go's build cache is always this machine's: Go's output does
// not depend on its cache (reproduce's tests rebuild with an empty one and
// compare), and a cold one per shard cost this test three standard
// library builds.
func samplePlan(t *testing.T, dir, planCache string, out *bytes.Buffer, vars ...string) *release.Plan {
	t.Helper()
	env := map[string]string{"KILN_MATRIX": sampleMatrix, "KILN_VERSION": "v1.2.3", "CI": os.Getenv("CI"),
		"KILN_WINEPREFIX": releasetest.WinePrefix(t)}
	for _, kv := range vars {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	var opts []release.Option // the tests' plan cache
	if planCache != "" {
		opts = append(opts, release.WithPlanCache(planCache))
	}
	return plantest.MustResolve(t, dir, sampleSettings(), out, env, opts...)
}

// stage runs one stage and fails the test with its output on an error.
func stage(t *testing.T, out *bytes.Buffer, what string, f func(context.Context) error) {
	t.Helper()
	if err := f(context.Background()); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, out)
	}
}

// copyStripped copies the files of src to dst as CI artifacts deliver
// them: regular files only, hidden ones left out (upload-artifact's
// default), every mode 0644.
func copyStripped(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if rel != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// release lists a finished output directory: every file the manifest
// lists, and the manifest, by path.
func releaseFiles(t *testing.T, out string) map[string][]byte {
	t.Helper()
	m, err := artifact.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, a := range append(m.Artifacts, artifact.Artifact{Path: artifact.FileName}) {
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(a.Path)))
		if err != nil {
			t.Fatal(err)
		}
		files[a.Path] = data
	}
	return files
}

// TestMergeSampleApp builds the sample app in three shards, in three
// copies of the module at different paths with their own (empty) plan caches,
// carries their outputs through a mode-stripping copy, merges, verifies
// and packages them: every file, the checksums and the manifest are
// byte-identical to a one-machine crossall+verify+package. Then the
// refusals, on the same shard outputs: nothing is written on any of them.
func TestMergeSampleApp(t *testing.T) {
	testtool.Need(t, "go", "musl-gcc")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var shards []string
	for i, sub := range []string{"a/app", "runner-two/work/sample", "c/d/e/f"} {
		dir := filepath.Join(tmp, sub)
		testtool.CopySampleApp(t, root, dir)
		var out bytes.Buffer
		start := time.Now()
		p := samplePlan(t, dir, filepath.Join(tmp, "plan-cache", sub), &out, "KILN_SHARD="+[]string{"1/3", "2/3", "3/3"}[i])
		stage(t, &out, "shard build", p.Build)
		t.Logf("shard %d/3 (%s) built in %.1fs", i+1, p.Platforms, time.Since(start).Seconds())
		dst := filepath.Join(tmp, "downloaded", "dist-"+string(rune('1'+i)))
		copyStripped(t, p.Out, dst)
		shards = append(shards, dst)
	}

	whole := filepath.Join(tmp, "one-machine")
	testtool.CopySampleApp(t, root, whole)
	var out bytes.Buffer
	p := samplePlan(t, whole, "", &out)
	stage(t, &out, "crossall", p.Build)
	crossManifest, err := os.ReadFile(filepath.Join(p.Out, artifact.FileName))
	if err != nil {
		t.Fatal(err)
	}
	stage(t, &out, "verify", p.Verify)
	stage(t, &out, "package", p.Package)
	want := releaseFiles(t, p.Out)

	merger := filepath.Join(tmp, "merger")
	testtool.CopySampleApp(t, root, merger)
	mergeDist := filepath.Join(merger, "dist")
	out.Reset()
	mp := samplePlan(t, merger, "", &out)
	stage(t, &out, "merge", func(ctx context.Context) error {
		return Merge(ctx, mp, []string{filepath.Join(tmp, "downloaded", "dist-*")})
	})
	mergedManifest, err := os.ReadFile(filepath.Join(mergeDist, artifact.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(mergedManifest, crossManifest) {
		t.Errorf("the merged manifest differs from crossall's:\nmerged:\n%s\ncrossall:\n%s", mergedManifest, crossManifest)
	}
	m, _ := artifact.Load(mergeDist)
	for _, a := range m.Artifacts {
		fi, err := os.Stat(filepath.Join(mergeDist, a.Path))
		if err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("merged %s: mode %v, %v; want 0755", a.Path, fi.Mode(), err)
		}
	}
	stage(t, &out, "verify after merge", mp.Verify)
	stage(t, &out, "package after merge", mp.Package)
	got := releaseFiles(t, mergeDist)
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	}) {
		if !bytes.Equal(got[name], want[name]) {
			t.Errorf("%s: the merged release's file differs from the one-machine release's", name)
		}
	}
	if len(got) != len(want) {
		t.Errorf("the merged release has %d files, the one-machine release %d", len(got), len(want))
	}
	if sums := p.ChecksumsPath(); want[sums] == nil || !bytes.Equal(got[sums], want[sums]) {
		t.Errorf("checksums %s: merged and one-machine differ (or are missing)", sums)
	}

	t.Run("refusals", func(t *testing.T) { testMergeRefusals(t, root, tmp, shards) })
}

// testMergeRefusals: a missing shard, a shard of another version or
// commit, a tampered file, and two shards with different bytes for one
// artifact are each refused with the reason, and dist/ is not created.
func testMergeRefusals(t *testing.T, root, tmp string, shards []string) {
	mod := filepath.Join(tmp, "refusing")
	testtool.CopySampleApp(t, root, mod)
	// variant copies a shard and lets change alter it.
	variant := func(t *testing.T, i int, change func(dir string, m *artifact.Manifest)) string {
		dir := filepath.Join(t.TempDir(), "shard")
		copyStripped(t, shards[i], dir)
		m, err := artifact.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		change(dir, m)
		if err := m.Save(dir); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	firstBinary := func(m *artifact.Manifest) *artifact.Artifact {
		for i := range m.Artifacts {
			if m.Artifacts[i].Kind == artifact.Binary {
				return &m.Artifacts[i]
			}
		}
		t.Fatal("no binary in the shard")
		return nil
	}
	tests := []struct {
		name string
		dirs func(t *testing.T) []string
		want []string
	}{
		{"missing shard", func(t *testing.T) []string { return []string{shards[0], shards[2]} },
			[]string{"missing linux/amd64 (sample-app, samplectl): shard 2/3 should have built it (KILN_SHARD=2/3)"}},
		{"another version", func(t *testing.T) []string {
			return []string{shards[0], shards[1], variant(t, 2, func(_ string, m *artifact.Manifest) {
				m.Version = "v1.2.4"
				for i := range m.Artifacts {
					m.Artifacts[i].Version = "v1.2.4"
				}
			})}
		}, []string{"built at version v1.2.4, this checkout is v1.2.3", "built at version v1.2.4, not v1.2.3"}},
		{"another commit", func(t *testing.T) []string {
			return []string{shards[0], variant(t, 1, func(_ string, m *artifact.Manifest) { m.Commit = "0123456789abcdef0123456789abcdef01234567" }), shards[2]}
		}, []string{"built from commit 0123456789abcdef0123456789abcdef01234567, this checkout is none"}},
		{"tampered file", func(t *testing.T) []string {
			return []string{shards[0], variant(t, 1, func(dir string, m *artifact.Manifest) {
				a := firstBinary(m)
				f, err := os.OpenFile(filepath.Join(dir, a.Path), os.O_WRONLY|os.O_APPEND, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString("tampered")
				f.Close()
			}), shards[2]}
		}, []string{"is not the one its manifest records", "it changed after the build"}},
		{"two shards, different bytes", func(t *testing.T) []string {
			return []string{shards[0], shards[1], shards[2], variant(t, 1, func(dir string, m *artifact.Manifest) {
				a := firstBinary(m)
				data := []byte("other bytes for the same artifact")
				if err := os.WriteFile(filepath.Join(dir, a.Path), data, 0o644); err != nil {
					t.Fatal(err)
				}
				a.SHA256, a.Size, _ = checksum.Sum(bytes.NewReader(data))
			})}
		}, []string{"two shards built different bytes for one artifact"}},
		{"not a shard", func(t *testing.T) []string { return []string{shards[0], filepath.Join(tmp, "nowhere-*")} },
			[]string{"no such directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			p := samplePlan(t, mod, "", &out)
			err := Merge(context.Background(), p, tt.dirs(t))
			if err == nil {
				t.Fatalf("Merge succeeded, want a refusal\n%s", out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Merge error = %v\nwant it to say %q", err, w)
				}
			}
			if _, err := os.Stat(p.Out); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("dist/ exists after a refused merge (%v)", err)
			}
		})
	}
}

func TestMain(m *testing.M) { releasetest.Main(m) }

// TestUntrackedShards: shards downloaded into the checkout are named when
// git lists them (or the folder holding them) as untracked, not when the
// untracked files are elsewhere or a change is not untracked.
func TestUntrackedShards(t *testing.T) {
	top := filepath.FromSlash("/repo")
	shard := func(rel string) *shardDir {
		return &shardDir{dir: filepath.Join(top, filepath.FromSlash(rel)), name: rel}
	}
	sds := []*shardDir{shard("app/shards/dist-1"), shard("app/shards/dist-2")}
	for _, tt := range []struct {
		name    string
		changes []gitinfo.Change
		want    []string
	}{
		{"their folder untracked", []gitinfo.Change{{Path: "app/shards/", State: "untracked"}}, []string{"app/shards/dist-1", "app/shards/dist-2"}},
		{"one shard untracked", []gitinfo.Change{{Path: "app/shards/dist-2/", State: "untracked"}}, []string{"app/shards/dist-2"}},
		{"a file in a shard", []gitinfo.Change{{Path: "app/shards/dist-1/artifacts.json", State: "untracked"}}, []string{"app/shards/dist-1"}},
		{"untracked elsewhere", []gitinfo.Change{{Path: "app/shardsx/", State: "untracked"}, {Path: "app/notes.txt", State: "untracked"}}, nil},
		{"a tracked change", []gitinfo.Change{{Path: "app/shards/", State: "modified"}}, nil},
	} {
		if got := untrackedShards(top, tt.changes, sds); !slices.Equal(got, tt.want) {
			t.Errorf("%s: untrackedShards = %q, want %q", tt.name, got, tt.want)
		}
	}
}
