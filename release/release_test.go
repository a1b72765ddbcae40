package release

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/releasetest"
)

// The release tests run the stages from plain Go, as a program without
// mage would: Resolve, then Build, Verify, Package.

// testCache gives every plan the tests resolve the engine's plan cache in
// a temporary directory (releasetest.Main's): never the user's
// ~/.cache/kiln. Go's build cache is the machine's own, warm: only the
// tests that need an empty one (reproduce's rebuild) make one, on purpose.
var testCache Option

func TestMain(m *testing.M) {
	releasetest.Main(m, func(dir string) { testCache = WithPlanCache(dir) })
}

// testSettings are the settings of run: no run check, no image, signing
// when KILN_SIGNING_KEY is set (sign_test.go).
func testSettings() Settings {
	return Settings{Verify: VerifySettings{NoRun: true}, Package: PackageSettings{NoImage: true, Signing: testSigning}}
}

// run resolves the plan for dir with env (KEY=VALUE) and runs stage.
func run(t *testing.T, dir string, env []string, stage func(*Plan, context.Context) error) (string, error) {
	t.Helper()
	return runWith(t, dir, testSettings(), env, stage)
}

// runWith is run with settings s.
func runWith(t *testing.T, dir string, s Settings, env []string, stage func(*Plan, context.Context) error) (string, error) {
	t.Helper()
	vars := releasetest.Vars(env)
	var out bytes.Buffer
	p, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&out), WithEnv(func(k string) string { return vars[k] }))
	if err != nil {
		return out.String(), err
	}
	err = stage(p, context.Background())
	return out.String(), err
}

// mustRun is run that fails the test on an error.
func mustRun(t *testing.T, dir string, env []string, stage func(*Plan, context.Context) error) string {
	t.Helper()
	out, err := run(t, dir, env, stage)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// TestStaleBinariesRefused: after a partial rebuild at a new version, the
// old version's binaries are not packaged under the new name.
func TestStaleBinariesRefused(t *testing.T) {
	dir := testModule(t)
	two := "KILN_MATRIX=linux/amd64,windows/amd64"
	mustRun(t, dir, []string{two, "KILN_VERSION=1.0.0"}, (*Plan).Build)
	mustRun(t, dir, []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=2.0.0"}, (*Plan).Build)
	mustRun(t, dir, []string{two, "KILN_VERSION=2.0.0"}, (*Plan).Verify)
	out, err := run(t, dir, []string{two, "KILN_VERSION=2.0.0"}, (*Plan).Package)
	if err == nil || !strings.Contains(err.Error(), "windows/amd64") || !strings.Contains(err.Error(), "built at version v1.0.0") || !strings.Contains(err.Error(), "run mage crossall") {
		t.Fatalf("package after a partial rebuild = %v, want a refusal naming windows/amd64 at v1.0.0\n%s", err, out)
	}
	assertNoRelease(t, dir)

	// Another name: the old binary is not shipped under the new one.
	mustRun(t, dir, []string{two, "KILN_VERSION=2.0.0", "KILN_NAME=oldname"}, (*Plan).Build)
	mustRun(t, dir, []string{two, "KILN_VERSION=2.0.0", "KILN_NAME=oldname"}, (*Plan).Verify)
	if _, err := run(t, dir, []string{two, "KILN_VERSION=2.0.0"}, (*Plan).Package); err == nil || !strings.Contains(err.Error(), "windows/amd64") {
		t.Fatalf("package of tool after building oldname = %v, want a refusal", err)
	}
	mustRun(t, dir, []string{two, "KILN_VERSION=2.0.0"}, (*Plan).Build)
	mustRun(t, dir, []string{two, "KILN_VERSION=2.0.0"}, (*Plan).Verify)
	mustRun(t, dir, []string{two, "KILN_VERSION=2.0.0"}, (*Plan).Package)
	sums, err := os.ReadFile(filepath.Join(dir, "dist", "tool_2.0.0_checksums.txt"))
	if err != nil || bytes.Contains(sums, []byte("oldname")) || !bytes.Contains(sums, []byte("tool_linux_amd64/tool\n")) {
		t.Errorf("checksums %q (%v), want the tool binaries only", sums, err)
	}
}

// assertNoRelease fails when dist/ holds a packaged file or a staging
// directory.
func assertNoRelease(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(dir, "dist"))
	for _, e := range ents {
		if n := e.Name(); strings.HasSuffix(n, ".tar.gz") || strings.HasSuffix(n, ".zip") || strings.Contains(n, "checksums") || strings.HasPrefix(n, ".kiln-stage") {
			t.Errorf("a refused package left %s in dist", n)
		}
	}
}

// TestHostileManifest: manifest entries that point outside dist/, at
// devices or at files with other bytes are refused by verify and package,
// with the entry named, without hanging, reading or shipping them.
func TestHostileManifest(t *testing.T) {
	dir := testModule(t)
	env := []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=1.0.0"}
	mustRun(t, dir, env, (*Plan).Build)
	dist := filepath.Join(dir, "dist")
	good, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "evil")
	os.WriteFile(outside, []byte("secret"), 0o644)
	os.Symlink(outside, filepath.Join(dist, "tool_linux_amd64", "link-out"))
	os.Symlink("/dev/zero", filepath.Join(dist, "tool_linux_amd64", "zero"))
	bin := good.Artifacts[0]
	cases := map[string]func(a *artifact.Artifact){
		"dotdot":       func(a *artifact.Artifact) { a.Path = "../../" + filepath.Base(filepath.Dir(outside)) + "/evil" },
		"absolute":     func(a *artifact.Artifact) { a.Path = "/etc/passwd" },
		"unclean":      func(a *artifact.Artifact) { a.Path = "tool_linux_amd64/../tool_linux_amd64/tool" },
		"symlink out":  func(a *artifact.Artifact) { a.Path = "tool_linux_amd64/link-out" },
		"device":       func(a *artifact.Artifact) { a.Path = "tool_linux_amd64/zero" },
		"wrong sha256": func(a *artifact.Artifact) { a.SHA256 = strings.Repeat("0", 64) },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			a := bin
			edit(&a)
			m := artifact.Manifest{Project: good.Project, Version: good.Version, Commit: good.Commit, Artifacts: []artifact.Artifact{a}}
			writeManifest(t, dist, m)
			for stage, f := range map[string]func(*Plan, context.Context) error{"verify": (*Plan).Verify, "package": (*Plan).Package} {
				out, err := run(t, dir, env, f)
				if err == nil {
					t.Errorf("%s accepted the entry %+v\n%s", stage, a, out)
				}
				if strings.Contains(out, "secret") || err != nil && strings.Contains(err.Error(), "secret") {
					t.Errorf("%s printed the outside file", stage)
				}
			}
			assertNoRelease(t, dir)
		})
	}
	t.Run("duplicate", func(t *testing.T) {
		writeManifest(t, dist, artifact.Manifest{Project: "tool", Artifacts: []artifact.Artifact{bin, bin}})
		if _, err := run(t, dir, env, (*Plan).Verify); err == nil || !strings.Contains(err.Error(), "listed twice") {
			t.Errorf("verify of a manifest with a duplicate = %v", err)
		}
	})
	t.Run("damaged", func(t *testing.T) {
		os.WriteFile(filepath.Join(dist, artifact.FileName), []byte(`{"artifacts": [`), 0o644)
		if _, err := run(t, dir, env, (*Plan).Package); err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "clean") {
			t.Errorf("package with a truncated manifest = %v, want the way out", err)
		}
	})
}

// TestConcurrentShards: two runs building different shards into one dist/
// at once always leave a manifest of every platform with the right hashes.
func TestConcurrentShards(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go")
	}
	dir := testModule(t)
	reps := 20
	if testing.Short() {
		reps = 3
	}
	for i := range reps {
		os.RemoveAll(filepath.Join(dir, "dist"))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, shard := range []string{"1/2", "2/2"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[j] = run(t, dir, []string{"KILN_SHARD=" + shard, "KILN_VERSION=1.0.0"}, (*Plan).Build)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("run %d: %v", i, err)
			}
		}
		m, err := artifact.Load(filepath.Join(dir, "dist"))
		if err != nil {
			t.Fatal(err)
		}
		bins := m.Filter(artifact.ByKind(artifact.Binary))
		if len(bins) != 7 {
			t.Fatalf("run %d: the manifest lists %d binaries, want 7", i, len(bins))
		}
		for _, a := range bins {
			got, err := artifact.Describe(filepath.Join(dir, "dist"), a)
			if err != nil || got.SHA256 != a.SHA256 || a.Version != "v1.0.0" {
				t.Fatalf("run %d: %s: %v, sha256 %s, manifest %s %s", i, a.Path, err, got.SHA256, a.SHA256, a.Version)
			}
		}
	}
}
