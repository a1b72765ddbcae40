package targets_test

import (
	"context"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/outdir"
	"github.com/kiln-build/kiln/verify"
)

// copySampleApp copies the sample app's module (not dist/ nor dot
// directories) to dst with its replace directive pointing at the checkout.
func copySampleApp(t *testing.T, dst string) *consumer {
	t.Helper()
	testtool.CopySampleApp(t, repoRoot, dst)
	return &consumer{t: t, dir: dst}
}

// distSums returns the sha256 of every file in dir (relative slash path →
// sum), without the build stamps, which hold modification times.
func distSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		sums[filepath.ToSlash(rel)], _ = fileSum(t, path)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// TestPackageSampleApp: crossall package on the sample app makes archives,
// checksums, a unit, deb/rpm/apk, an OCI image and universal macOS
// binaries, all recorded; every windows binary carries the release version
// in its VERSIONINFO and a manifest, and ran under wine in verify; the
// checksums file checks out with sha256sum (and catches a changed
// archive); after clean, package refuses to run without binaries, and a
// second crossall package reproduces every file byte for byte (the
// windows and darwin ones included).
func TestPackageSampleApp(t *testing.T) {
	testtool.Need(t, "musl-gcc") // the sample app's linux build is static cgo
	sha256sum := testtool.Need(t, "sha256sum")[0]
	c := copySampleApp(t, filepath.Join(t.TempDir(), "sample-app"))
	env := []string{"KILN_MATRIX=linux/amd64,windows/amd64,darwin/amd64,darwin/arm64", "SOURCE_DATE_EPOCH=1700000000",
		"KILN_VERSION=v2.3.4", "KILN_UNIVERSAL=beside", "KILN_WINE=auto"}

	out := c.ok(env, "crossall", "verify", "package")
	m := c.manifest("dist")
	kinds := map[artifact.Kind]int{}
	for _, a := range m.Artifacts {
		kinds[a.Kind]++
		c.checkRecorded(m, "dist", a.Path, a.Kind)
	}
	want := map[artifact.Kind]int{artifact.Binary: 8, artifact.Universal: 2, artifact.Archive: 5, artifact.Checksums: 1,
		artifact.SystemdUnit: 1, artifact.Deb: 1, artifact.RPM: 1, artifact.APK: 1,
		artifact.OCIImage: 1, artifact.Dockerfile: 1, artifact.SBOM: 10}
	if !maps.Equal(kinds, want) {
		t.Errorf("artifact kinds %v, want %v\n%s", kinds, want, out)
	}
	for _, a := range m.Filter(artifact.ByKind(artifact.Archive)) {
		ext := ".tar.gz"
		if a.OS == "windows" {
			ext = ".zip"
		}
		if !strings.HasSuffix(a.Path, ext) {
			t.Errorf("%s archive %s: want a %s", a.Platform(), a.Path, ext)
		}
	}
	checkWindowsAndMacOS(t, c, m, out)
	for _, k := range []artifact.Kind{artifact.Deb, artifact.RPM, artifact.APK} {
		for _, a := range m.Filter(artifact.ByKind(k)) {
			if a.Platform().String() != "linux/amd64" {
				t.Errorf("%s %s is for %s, want linux/amd64", k, a.Path, a.Platform())
			}
		}
	}
	// The sample app's unit, as the package target writes it, is hardened:
	// systemd rates a naive unit 9.6. Without systemd-analyze only this
	// check is skipped.
	t.Run("unit exposure", func(t *testing.T) {
		analyze := testtool.Need(t, "systemd-analyze")[0]
		sec, _ := exec.Command(analyze, "security", "--offline=true", c.path("dist", "sample-app.service")).CombinedOutput()
		if m := regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`).FindSubmatch(sec); m == nil {
			t.Errorf("systemd-analyze security printed no exposure level:\n%s", sec)
		} else if x, _ := strconv.ParseFloat(string(m[1]), 64); x > 2.0 {
			t.Errorf("sample-app.service exposure %.1f, want <= 2.0\n%s", x, sec)
		}
	})
	// Every file in dist is recorded (the stamps aside).
	first := distSums(t, c.path("dist"))
	for path := range first {
		if _, ok := find(m, path); !ok && path != artifact.FileName {
			t.Errorf("%s is in dist but not in the manifest", path)
		}
	}

	// The checksums file is what sha256sum expects, and it catches a change.
	sums := m.Filter(artifact.ByKind(artifact.Checksums))
	if len(sums) != 1 {
		t.Fatalf("%d checksums files", len(sums))
	}
	shaCheck := func() (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, sha256sum, "-c", sums[0].Path)
		cmd.Dir = c.path("dist")
		o, err := cmd.CombinedOutput()
		return string(o), err
	}
	if o, err := shaCheck(); err != nil {
		t.Errorf("sha256sum -c %s: %v\n%s", sums[0].Path, err, o)
	}
	archive := m.Filter(artifact.ByKind(artifact.Archive))[0].Path
	tamper(t, c.path("dist", filepath.FromSlash(archive)))
	if o, err := shaCheck(); err == nil || !strings.Contains(o, archive+": FAILED") {
		t.Errorf("sha256sum -c after changing %s: %v, want it to fail naming the archive\n%s", archive, err, o)
	}

	// After clean, package needs binaries.
	c.ok(env, "clean")
	if _, err := os.Stat(c.path("dist")); !os.IsNotExist(err) {
		t.Fatalf("dist after clean: %v, want it gone", err)
	}
	c.fails(env, []string{"package"}, "not built", "linux/amd64", "windows/amd64", "run mage crossall")

	// Byte for byte again.
	c.ok(env, "crossall", "verify", "package")
	second := distSums(t, c.path("dist"))
	for _, p := range slices.Sorted(maps.Keys(first)) {
		if second[p] != first[p] {
			t.Errorf("%s differs between two runs (sha256 %s, then %s)", p, first[p], second[p])
		}
	}
	for p := range second {
		if _, ok := first[p]; !ok {
			t.Errorf("%s appeared only in the second run", p)
		}
	}
}

// checkWindowsAndMacOS: every windows binary's VERSIONINFO (read from its
// resource section) carries the release version, it has a manifest, and
// it ran under wine when wine is installed; every universal binary passed
// verify and holds both darwin slices.
func checkWindowsAndMacOS(t *testing.T, c *consumer, m *artifact.Manifest, out string) {
	t.Helper()
	wine := true
	for _, tool := range verify.WineTools() {
		if _, err := exec.LookPath(tool.Command); err != nil {
			wine = false
			t.Logf("not checking the runs under wine: %s", tool.NotFound())
		}
	}
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary), artifact.ByOS("windows")) {
		rep, err := verify.ReadFile(c.path("dist", filepath.FromSlash(a.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.VersionInfoError(m.Version); err != nil || rep.Resources.Manifest == "" {
			t.Errorf("%s: VERSIONINFO of %s: %v; manifest %d bytes", a.Path, m.Version, err, len(rep.Resources.Manifest))
		}
		if v := a.Verify; wine && (v == nil || !v.Run.Ran || v.Run.Via != "wine" || v.Run.ExitCode != 0) {
			t.Errorf("%s: verify %+v, want a run under wine, exit 0\n%s", a.Path, v, out)
		}
	}
	for _, a := range m.Filter(artifact.ByKind(artifact.Universal)) {
		rep, err := verify.ReadFile(c.path("dist", filepath.FromSlash(a.Path)))
		if err != nil || a.Verify == nil || !a.Verify.OK || len(rep.Slices) != 2 {
			t.Errorf("universal %s: verify %+v, %v", a.Path, a.Verify, err)
		}
	}
	if !strings.Contains(out, "wine: -selftest exit 0") && wine {
		t.Errorf("the verify table does not show sample-app's -selftest under wine:\n%s", out)
	}
}

// tamper flips one byte in the middle of a file.
func tamper(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPackageExtrasOutside: an extra file outside the module is refused
// with an error naming the setting and the pattern, before anything is
// packaged.
func TestPackageExtrasOutside(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "outside"), "a file outside the module\n")
	c := newConsumer(t, filepath.Join(root, "mod"), "example.com/extras", map[string]string{
		"main.go": "tool/main.go", "magefile.go": "magefiles/extras.go"})
	env := []string{"KILN_MATRIX=linux/amd64"}
	c.ok(env, "crossall", "verify")
	c.fails(env, []string{"package"}, "Config.Package.Extras", `"../outside"`, "module root")
	m := c.manifest("dist")
	if len(m.Artifacts) != 1 || m.Artifacts[0].Kind != artifact.Binary {
		t.Errorf("manifest after the refused package: %+v, want the binary only", m.Artifacts)
	}
	entries, _ := os.ReadDir(c.path("dist"))
	for _, e := range entries {
		if !e.IsDir() && e.Name() != artifact.FileName && e.Name() != outdir.IgnoreName && !strings.HasPrefix(e.Name(), ".kiln-") {
			t.Errorf("refused package left %s in dist", e.Name())
		}
	}
}
