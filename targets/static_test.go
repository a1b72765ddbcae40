package targets_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
)

// TestSampleAppStaticVerify: the sample app's C component makes every
// linux build a static cgo build; static and crossall with KILN_STATIC
// give binaries that verify accepts and that run their -selftest (which
// calls into C) in an empty root, natively and through qemu. With cgo
// turned off (KILN_CGO=off, a statement) the build runs without the C
// component, the build line, the manifest and verify name it, and verify
// catches the stub failing its -selftest.
func TestSampleAppStaticVerify(t *testing.T) {
	testtool.Need(t, "musl-gcc", "aarch64-linux-gnu-gcc", "bwrap", "qemu-aarch64-static")
	c := copySampleApp(t, filepath.Join(t.TempDir(), "sample-app"))

	out := c.ok(nil, "static", "verify")
	if !strings.Contains(out, "(cgo, musl-gcc)") {
		t.Errorf("static did not build with cgo and musl-gcc:\n%s", out)
	}
	c.ok([]string{"KILN_MATRIX=linux/arm64", "KILN_STATIC=true"}, "crossall")
	out = c.ok(nil, "verify")
	m := c.manifest("dist")
	bins := m.Filter(artifact.ByKind(artifact.Binary))
	if len(bins) != 4 {
		t.Fatalf("manifest has %d binaries, want sample-app and samplectl for linux/amd64 and linux/arm64:\n%s", len(bins), out)
	}
	for _, a := range bins {
		if a.Name == "samplectl" { // pure Go: static without cgo
			if v := a.Verify; v == nil || !v.OK || !v.Static || v.Cgo || !a.Static || a.Cgo {
				t.Errorf("samplectl %s: verify %+v, static=%v cgo=%v; want ok, static, no cgo", a.Platform(), v, a.Static, a.Cgo)
			}
			continue
		}
		v := a.Verify
		if v == nil || !v.OK || !v.Static || !v.Cgo || !v.Run.Ran || v.Run.ExitCode != 0 {
			t.Errorf("%s: verify result %+v, want ok, static, cgo and ran ok\n%s", a.Platform(), v, out)
		}
		if !a.Static || !a.Cgo || !slices.Contains(a.Tags, "netgo") || !slices.Contains(a.Tags, "osusergo") {
			t.Errorf("%s: recorded as static=%v cgo=%v tags=%v, want static cgo with netgo,osusergo", a.Platform(), a.Static, a.Cgo, a.Tags)
		}
	}

	const cfeature = "github.com/kiln-build/kiln/sample-app/internal/cfeature"
	nocgo := []string{"KILN_MATRIX=linux/amd64", "KILN_CGO=off", "KILN_OUT=dist-nocgo"}
	if out = c.ok(nocgo, "crossall"); !strings.Contains(out, "(cgo off: left out "+cfeature+")") {
		t.Errorf("crossall with KILN_CGO=off does not name the package:\n%s", out)
	}
	c.fails(nocgo, []string{"verify"}, "left out", "the cgo files of "+cfeature+" are left out", "selftest: C component")
	for _, a := range c.manifest("dist-nocgo").Filter(artifact.ByKind(artifact.Binary)) {
		if a.Name == "sample-app" && (a.Cgo || !slices.Equal(a.CgoLeftOut, []string{cfeature}) || a.CgoDecision != "off (KILN_CGO)") {
			t.Errorf("sample-app with KILN_CGO=off: cgo %v, left out %q, decision %q", a.Cgo, a.CgoLeftOut, a.CgoDecision)
		}
	}
}
