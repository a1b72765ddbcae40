package binaries

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// TestCgoHints: a build that failed for lack of a C toolchain while its
// cgo was undecided gets the line that decides it — the binary's Cgo in
// Config.Binaries when they are listed, else the whole list (names only
// where they are not the default), and the C compiler; a build whose cgo
// someone decided, or that failed otherwise, gets none.
func TestCgoHints(t *testing.T) {
	darwin, linux := matrix.MustParse("darwin/arm64"), matrix.MustParse("linux/amd64")
	bins := []Bin{
		{Name: "tool", Main: ".", ImportPath: "example.com/tool", Builds: map[matrix.Platform]BinBuild{darwin: {Cgo: gobuild.CgoAuto}}},
		{Name: "agent", Main: "./cmd/d", ImportPath: "example.com/tool/cmd/d",
			Builds: map[matrix.Platform]BinBuild{darwin: {Cgo: gobuild.CgoOn, CgoBy: "KILN_CGO"}, linux: {Cgo: gobuild.CgoAuto}}},
	}
	fail := func(name string, pl matrix.Platform, err error) gobuild.Result {
		return gobuild.Result{Spec: gobuild.Spec{Name: name, Platform: pl}, Err: err}
	}
	toolchain := func(pl matrix.Platform) *gobuild.ToolchainError {
		return &gobuild.ToolchainError{Platform: pl, Packages: []string{"example.com/c"}, Install: "gcc-x"}
	}
	tool, decided, other := toolchain(darwin), toolchain(darwin), toolchain(linux)
	results := []gobuild.Result{fail("tool", darwin, fmt.Errorf("build: %w", tool)), fail("agent", darwin, decided),
		fail("agent", linux, fmt.Errorf("compile error")), fail("agent", linux, other)}

	CgoHints(bins, false, results)
	for _, want := range []string{"cgo is undecided for tool on darwin/arm64", "of example.com/c",
		`targets.Config.Binaries = []targets.Binary{{Main: ".", Cgo: "off:darwin/arm64"}, {Name: "agent", Main: "./cmd/d"}}`,
		`targets.Config.CC = map[string]string{"darwin/arm64": "<a C compiler for darwin/arm64>"} or targets.Config.Toolchains = "install"`} {
		if !strings.Contains(tool.Hint, want) {
			t.Errorf("the hint lacks %q:\n%s", want, tool.Hint)
		}
	}
	if decided.Hint != "" {
		t.Errorf("a hint for a build whose cgo KILN_CGO decided:\n%s", decided.Hint)
	}
	if !strings.Contains(other.Hint, `{Name: "agent", Main: "./cmd/d", Cgo: "off:linux/amd64"}`) {
		t.Errorf("agent's hint:\n%s", other.Hint)
	}

	tool.Hint = ""
	CgoHints(bins, true, results)
	if want := `add Cgo: "off:darwin/arm64" to the binary {Main: "."} of targets.Config.Binaries`; !strings.Contains(tool.Hint, want) {
		t.Errorf("with Config.Binaries, the hint lacks %q:\n%s", want, tool.Hint)
	}
}
