package release

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// writeModule writes files (path → content) into a new module directory.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["go.mod"]; !ok {
		files["go.mod"] = "module example.com/tool\n\ngo 1.22\n"
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// resolveIn resolves the plan of s for dir with env; the output is what
// it printed.
func resolveIn(t *testing.T, dir string, s Settings, env map[string]string) (*Plan, string, error) {
	t.Helper()
	var out bytes.Buffer
	p, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&out), WithEnv(func(k string) string { return env[k] }))
	return p, out.String(), err
}

func mustResolve(t *testing.T, dir string, s Settings, env map[string]string) *Plan {
	t.Helper()
	p, out, err := resolveIn(t, dir, s, env)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return p
}

const cmdMain = "package main\n\nvar version string\n\nfunc main() { println(version) }\n"

// releaseModule has two programs the release config builds (one under a
// binary name of its own, with tags, env, flags, ldflags and
// CGO_ENABLED=0), a helper it does not list, and a build for windows only.
var releaseModule = map[string]string{
	"cmd/tool/main.go":   cmdMain,
	"cmd/toold/main.go":  cmdMain,
	"cmd/helper/main.go": cmdMain,
	"cmd/win/main.go":    cmdMain,
	".goreleaser.yml": `version: 2
project_name: tool
env:
  - CGO_ENABLED=0
builds:
  - main: ./cmd/tool
    tags: [release, netcgo]
    env: [GOFLAGS_EXTRA=1, GOOS=plan9]
    flags: [-trimpath, -v, "-gcflags=all=-l"]
    ldflags:
      - -s -w -X main.version={{.Version}} -X main.builtBy=kiln -X main.commit={{.Commit}}
  - id: daemon
    main: ./cmd/toold
    binary: tool-daemon
    goos: [linux]
    goarch: [amd64]
    env: [CGO_ENABLED=1]
  - main: ./cmd/win
    binary: win
    goos: [windows]
    goarch: [amd64]
archives:
  - formats: [tar.gz]
`,
}

// TestReleaseConfigDefaults: the release config's builds name the
// binaries and give them their defaults: platforms, tags, env (the
// engine's own variables left out), the flags kiln passes on (a note for
// the others), ldflags merged without kiln's -s -w and with the file's -X
// winning over the variables kiln found, and the cgo decision with who
// made it; unused fields are a note.
func TestReleaseConfigDefaults(t *testing.T) {
	dir := writeModule(t, cloneFiles(releaseModule))
	env := map[string]string{"KILN_MATRIX": "linux/amd64,darwin/arm64,windows/amd64", "KILN_VERSION": "1.2.3"}
	p := mustResolve(t, dir, Settings{}, env)
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
	if tool.Stamp != (StampVars{Version: "-", Commit: "-", Date: "-"}) || tool.Stamped != "-X main.version main.builtBy main.commit" {
		t.Errorf("tool stamps %+v (%q): the file's -X of main.version wins over the variable kiln found", tool.Stamp, tool.Stamped)
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
	for _, want := range []string{`flags "-v": kiln leaves it out`, "not used by kiln: archives"} {
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
	dir := writeModule(t, cloneFiles(releaseModule))
	env := map[string]string{"KILN_MATRIX": "linux/amd64,darwin/arm64", "KILN_VERSION": "1.2.3"}
	s := Settings{
		Binaries: []Binary{{Main: "./cmd/tool", Tags: []string{"mine"}, LDFlags: []string{"-X", "main.builtBy=me"}, Cgo: "auto:darwin/*"},
			{Main: "./cmd/helper", Platforms: "linux/*"}},
		VersionVars: StampVars{Version: "main.version"},
	}
	p := mustResolve(t, dir, s, env)
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

	env["KILN_CGO"] = "on"
	p = mustResolve(t, dir, Settings{}, env)
	if bb := p.Binaries[0].Builds[linux]; bb.Cgo != gobuild.CgoOn || bb.CgoBy != "KILN_CGO" {
		t.Errorf("with KILN_CGO=on: %s", bb.Decision())
	}

	for cgo, want := range map[string]string{"sometimes": "want auto, on or off", "off:linux/nosuch": "Cgo"} {
		_, _, err := resolveIn(t, dir, Settings{Binaries: []Binary{{Main: "./cmd/tool", Cgo: CgoMode(cgo)}}}, env)
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
		"cmd/a/main.go":      cmdMain,
		"cmd/b/main.go":      "//go:build linux\n\n" + cmdMain,
		"magefiles/mage.go":  "//go:build mage\n\npackage main\n",
		"internal/x/main.go": cmdMain,
	})
	p := mustResolve(t, dir, Settings{}, map[string]string{"KILN_MATRIX": "linux/amd64,windows/amd64", "KILN_VERSION": "1.2.3"})
	if len(p.Binaries) != 2 || p.Binaries[0].Name != "a" || p.Binaries[1].Name != "b" ||
		len(p.Binaries[0].Platforms) != 2 || !slices.Equal(p.Binaries[1].Platforms, []matrix.Platform{matrix.MustParse("linux/amd64")}) {
		t.Errorf("binaries %+v", p.Binaries)
	}
	if p.Binaries[0].Stamp.Version != "main.version" {
		t.Errorf("a stamps %+v", p.Binaries[0].Stamp)
	}
	_, _, err := resolveIn(t, writeModule(t, map[string]string{"tools.go": "//go:build tools\n\npackage main\n"}), Settings{}, nil)
	if err == nil || !strings.Contains(err.Error(), "no main package") {
		t.Errorf("a module whose only main is a tools file: %v", err)
	}
}

func cloneFiles(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestMainBinary: the image and the service run the binary named after
// the project, not the alphabetically first; without one, the first.
func TestMainBinary(t *testing.T) {
	env := map[string]string{"KILN_MATRIX": "linux/amd64", "KILN_VERSION": "1.2.3"}
	s := Settings{Package: PackageSettings{Service: &Service{}}}
	p := mustResolve(t, writeModule(t, map[string]string{"cmd/admin/main.go": cmdMain, "cmd/tool/main.go": cmdMain}), s, env)
	if p.Binaries[0].Name != "admin" || p.PackageWith.Entrypoint != "tool" || p.PackageWith.Service.ExecStart != "/usr/bin/tool" {
		t.Errorf("binaries %s, %s: entrypoint %q, ExecStart %q; want tool", p.Binaries[0].Name, p.Binaries[1].Name, p.PackageWith.Entrypoint, p.PackageWith.Service.ExecStart)
	}
	p = mustResolve(t, writeModule(t, map[string]string{"cmd/admin/main.go": cmdMain, "cmd/toold/main.go": cmdMain}), s, env)
	if p.PackageWith.Entrypoint != "admin" {
		t.Errorf("entrypoint %q, want the first binary, admin", p.PackageWith.Entrypoint)
	}
}

// TestShardsAgree: what the module ships is read for the whole matrix, so
// the shards together build exactly the (binary, platform) pairs of one
// run: a binary the release config builds for one platform is not built
// on another shard's platforms.
func TestShardsAgree(t *testing.T) {
	dir := writeModule(t, cloneFiles(releaseModule))
	env := map[string]string{"KILN_MATRIX": "linux/amd64,darwin/arm64,windows/amd64", "KILN_VERSION": "1.2.3"}
	pairs := func(p *Plan) []string {
		var out []string
		for _, b := range p.Binaries {
			for _, pl := range b.Platforms {
				out = append(out, b.Name+" "+pl.String())
			}
		}
		return out
	}
	whole := pairs(mustResolve(t, dir, Settings{}, env))
	var sharded []string
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		env["KILN_SHARD"] = shard
		sharded = append(sharded, pairs(mustResolve(t, dir, Settings{}, env))...)
	}
	slices.Sort(whole)
	slices.Sort(sharded)
	if !slices.Equal(whole, sharded) {
		t.Errorf("the shards build %q, one run %q", sharded, whole)
	}
}
