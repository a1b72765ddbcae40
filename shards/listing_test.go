package shards

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/internal/releasetest/plantest"
)

// TestPrintMatrix: the listing names the release, each binary with its
// main package and stamped variables, and each platform of the plan (and
// no other) with the toolchain's facts: a first-class port says so, a
// port that is not does not.
func TestPrintMatrix(t *testing.T) {
	dir := releasetest.Module(t)
	var out bytes.Buffer
	p := plantest.MustResolve(t, dir, plantest.Settings(), &out,
		releasetest.Vars([]string{"KILN_MATRIX=linux/amd64,linux/riscv64", "KILN_VERSION=1.0.0"}))
	if err := PrintMatrix(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"tool v1.0.0: 2 platform(s), output in dist\n",
		"  binary tool           main package example.com/tool (2 platforms)\n",
		"    version: -X main.version",
		"  linux/amd64            first-class port, cgo possible\n",
		"  linux/riscv64          cgo possible\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("PrintMatrix lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "windows") || len(regexp.MustCompile(`(?m)^  linux/`).FindAllString(got, -1)) != 2 {
		t.Errorf("PrintMatrix lists platforms outside the plan's two:\n%s", got)
	}
}
