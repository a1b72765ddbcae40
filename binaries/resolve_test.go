package binaries

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
)

var writeModule = releasetest.WriteModule

// universe is the go command's list of platforms, read once.
var universe = sync.OnceValues(func() (*matrix.Universe, error) {
	out, err := exec.Command("go", "tool", "dist", "list", "-json").Output()
	if err != nil {
		return nil, err
	}
	return matrix.ParseDistList(out)
})

// resolved is what Resolve decided.
type resolved struct {
	Binaries []Bin
	notes    []string
}

// resolveIn resolves the binaries of the module in dir, configured by in,
// for the platforms a selector names ("": the default matrix), as a
// release of version 1.2.3 from a directory that is no git checkout.
func resolveIn(t *testing.T, dir, platforms string, in Input) (resolved, error) {
	t.Helper()
	mod, err := project.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	u, err := universe()
	if err != nil {
		t.Fatal(err)
	}
	planned := matrix.Default
	if platforms != "" {
		if planned, err = matrix.Select(u, platforms, matrix.Default); err != nil {
			t.Fatal(err)
		}
	}
	in.Module, in.Planned = mod, planned
	if in.Platforms == nil {
		in.Platforms = planned
	}
	in.Select = func(sel string) ([]matrix.Platform, error) { return matrix.Select(u, sel, planned) }
	in.Facts = project.Facts{ModulePath: mod.Path, Tag: "v1.2.3", Version: "1.2.3", Env: map[string]string{}}
	in.NoVCS = "not a git checkout"
	in.FactsDir = filepath.Join(t.TempDir(), "facts")
	bins, notes, err := Resolve(in)
	return resolved{bins, notes}, err
}

func mustResolve(t *testing.T, dir, platforms string, in Input) resolved {
	t.Helper()
	p, err := resolveIn(t, dir, platforms, in)
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(p.notes, "\n"))
	}
	return p
}

// TestReleaseConfigDefaults: the release config's builds name the
// binaries and give them their defaults: platforms, tags, env (the
// engine's own variables left out), the flags kiln passes on (a note for
// the others), ldflags merged without kiln's -s -w and with the file's -X
// winning over the variables kiln found, and the cgo decision with who
// made it; unused fields are a note.
func TestReleaseConfigDefaults(t *testing.T) {
	dir := writeModule(t, releasetest.ReleaseModule())
	p := mustResolve(t, dir, "linux/amd64,darwin/arm64,windows/amd64", Input{})
	names := []string{}
	for _, b := range p.Binaries {
		names = append(names, b.Name)
	}
	if !slices.Equal(names, []string{"tool", "tool-daemon", "win"}) {
		t.Fatalf("binaries %q, want the release config's tool, tool-daemon and win (not helper)", names)
	}
	tool, daemon, win := p.Binaries[0], p.Binaries[1], p.Binaries[2]
	linux, darwin, windows := matrix.MustParse("linux/amd64"), matrix.MustParse("darwin/arm64"), matrix.MustParse("windows/amd64")
	if len(tool.Platforms) != 3 || !slices.Equal(daemon.Platforms, []matrix.Platform{linux}) || !slices.Equal(win.Platforms, []matrix.Platform{windows}) {
		t.Errorf("platforms: tool %v, daemon %v, win %v", tool.Platforms, daemon.Platforms, win.Platforms)
	}
	bb := tool.Builds[darwin]
	if !slices.Equal(bb.Tags, []string{"release", "netcgo"}) || !slices.Equal(bb.Env, []string{"GOFLAGS_EXTRA=1"}) || !slices.Equal(bb.Flags, []string{"-gcflags=all=-l"}) {
		t.Errorf("tool on darwin: tags %q, env %q, flags %q", bb.Tags, bb.Env, bb.Flags)
	}
	if want := []string{"-X", "main.version=1.2.3", "-X", "main.builtBy=kiln", "-X", "main.commit="}; !slices.Equal(bb.LDFlags, want) {
		t.Errorf("tool's ldflags %q, want %q", bb.LDFlags, want)
	}
	// The file's -X of main.version wins over the variable kiln found; its
	// main.builtBy and main.commit name no variable of the main package:
	// passed on, said, never claimed as stamped.
	if tool.Stamp != (gobuild.StampVars{Version: "-", Commit: "-", Date: "-"}) || tool.Stamped != "-X main.version" {
		t.Errorf("tool stamps %+v (%q), want the file's -X main.version alone", tool.Stamp, tool.Stamped)
	}
	if bb.Cgo != gobuild.CgoOff || bb.CgoBy != ".goreleaser.yml builds[0] env CGO_ENABLED=0" {
		t.Errorf("tool's cgo %s by %q", bb.Cgo, bb.CgoBy)
	}
	if d := daemon.Builds[linux]; d.Cgo != gobuild.CgoOn || d.Decision() != "on (.goreleaser.yml builds[1] env CGO_ENABLED=1)" {
		t.Errorf("daemon's cgo: %s", d.Decision())
	}
	if daemon.Stamp.Version != "main.version" || daemon.Stamped != "-X main.version" {
		t.Errorf("daemon stamps %+v (%q), want main.version: its build sets no -X", daemon.Stamp, daemon.Stamped)
	}
	notes := strings.Join(p.notes, "\n")
	for _, want := range []string{`flags "-v": kiln leaves it out`, "not used by kiln: archives",
		"tool: the release config's ldflags set -X main.builtBy main.commit, but the main package ./cmd/tool declares no string variable of that name: it reaches nothing"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, `flags "-trimpath"`) {
		t.Errorf("a note about -trimpath, which kiln sets itself:\n%s", notes)
	}
}

// TestGoConfigWins: what the Go configuration sets beats the release
// config: the binaries, their tags, env and platforms, the stamped
// variables, and the cgo decision (KILN_CGO, a binary's Cgo with a
// platform selector); -ldflags merge with kiln's first.
func TestGoConfigWins(t *testing.T) {
	dir := writeModule(t, releasetest.ReleaseModule())
	platforms := "linux/amd64,darwin/arm64"
	s := Input{
		Binaries: []Binary{{Main: "./cmd/tool", Tags: []string{"mine"}, LDFlags: []string{"-X", "main.builtBy=me"}, Cgo: "auto:darwin/*"},
			{Main: "./cmd/helper", Platforms: "linux/*"}},
		StampVars: gobuild.StampVars{Version: "main.version"},
	}
	p := mustResolve(t, dir, platforms, s)
	tool, helper := p.Binaries[0], p.Binaries[1]
	linux, darwin := matrix.MustParse("linux/amd64"), matrix.MustParse("darwin/arm64")
	if tool.Name != "tool" || helper.Name != "helper" || !slices.Equal(helper.Platforms, []matrix.Platform{linux}) {
		t.Errorf("binaries %s %v, %s %v", tool.Name, tool.Platforms, helper.Name, helper.Platforms)
	}
	if bb := tool.Builds[linux]; !slices.Equal(bb.Tags, []string{"mine"}) || bb.Cgo != gobuild.CgoOff || bb.CgoBy == "" {
		t.Errorf("tool on linux: tags %q, cgo %s: the file's CGO_ENABLED=0 holds where the Go config says nothing", bb.Tags, bb.Decision())
	}
	if bb := tool.Builds[darwin]; bb.Cgo != gobuild.CgoAuto || !strings.Contains(bb.CgoBy, `Cgo "auto:darwin/*"`) {
		t.Errorf("tool on darwin: cgo %s, want auto by the binary's Cgo", bb.Decision())
	}
	if want := []string{"-X", "main.builtBy=me", "-X", "main.commit="}; !slices.Equal(tool.Builds[linux].LDFlags, want) {
		t.Errorf("tool's ldflags %q, want %q: Config.VersionVars' main.version is kiln's, the file's builtBy loses to the Go config's", tool.Builds[linux].LDFlags, want)
	}
	if tool.Stamp.Version != "main.version" {
		t.Errorf("tool stamps %+v, want Config.VersionVars' main.version", tool.Stamp)
	}

	kilnCgo := Input{Cgo: gobuild.CgoOn, CgoBy: "KILN_CGO"} // KILN_CGO=on
	p = mustResolve(t, dir, platforms, kilnCgo)
	if bb := p.Binaries[0].Builds[linux]; bb.Cgo != gobuild.CgoOn || bb.CgoBy != "KILN_CGO" {
		t.Errorf("with KILN_CGO=on: %s", bb.Decision())
	}

	for cgo, want := range map[string]string{"sometimes": "want auto, on or off", "off:linux/nosuch": "Cgo"} {
		in := kilnCgo
		in.Binaries = []Binary{{Main: "./cmd/tool", Cgo: gobuild.CgoMode(cgo)}}
		_, err := resolveIn(t, dir, platforms, in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Cgo %q: %v, want an error saying %q", cgo, err, want)
		}
	}
}

// TestProgramsByConstraints: with no release config, a root main that
// build constraints exclude (//go:build tools) is no program: the cmd/
// programs ship, each on the platforms it builds for.
func TestProgramsByConstraints(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"tools.go":           "//go:build tools\n\npackage main\n\nimport _ \"fmt\"\n",
		"cmd/a/main.go":      releasetest.CmdMain,
		"cmd/b/main.go":      "//go:build linux\n\n" + releasetest.CmdMain,
		"magefiles/mage.go":  "//go:build mage\n\npackage main\n",
		"internal/x/main.go": releasetest.CmdMain,
	})
	p := mustResolve(t, dir, "linux/amd64,windows/amd64", Input{})
	if len(p.Binaries) != 2 || p.Binaries[0].Name != "a" || p.Binaries[1].Name != "b" ||
		len(p.Binaries[0].Platforms) != 2 || !slices.Equal(p.Binaries[1].Platforms, []matrix.Platform{matrix.MustParse("linux/amd64")}) {
		t.Errorf("binaries %+v", p.Binaries)
	}
	if p.Binaries[0].Stamp.Version != "main.version" {
		t.Errorf("a stamps %+v", p.Binaries[0].Stamp)
	}
	_, err := resolveIn(t, writeModule(t, map[string]string{"tools.go": "//go:build tools\n\npackage main\n"}), "", Input{})
	if err == nil || !strings.Contains(err.Error(), "no main package") {
		t.Errorf("a module whose only main is a tools file: %v", err)
	}
}
