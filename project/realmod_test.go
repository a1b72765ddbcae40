package project

import (
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// realModule returns the source directory of a module version from the
// module proxy (through the module cache; the package only reads it).
func realModule(t *testing.T, modver string) *Module {
	t.Helper()
	m, err := Open(testtool.ModuleSource(t, modver))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// release are the facts of a v1.2.3 release for Render.
var release = Facts{Tag: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Env: map[string]string{}}

func programs(t *testing.T, m *Module, o Options) ([]Program, []Note) {
	t.Helper()
	progs, notes, err := m.Programs(o)
	if err != nil {
		t.Fatal(err)
	}
	return progs, notes
}

func identity(t *testing.T, m *Module, main string) Identity {
	t.Helper()
	id, err := m.Identity(main, threeOS)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func wantMains(t *testing.T, what string, progs []Program, want ...string) {
	t.Helper()
	if got := mains(progs); !slices.Equal(got, want) {
		t.Errorf("%s: programs %v, want %v", what, got, want)
	}
}

// gosec: main.Version and main.BuildDate in package main, a v2
// .goreleaser.yml whose -X targets them, and helper mains under cmd/ it
// does not list; runtime/debug appears only in a comment.
func TestRealGosec(t *testing.T) {
	m := realModule(t, "github.com/securego/gosec/v2@v2.30.0")
	progs, _ := programs(t, m, threeOS)
	wantMains(t, "gosec", progs, "./cmd/gosec")
	if progs[0].Name != "gosec" || progs[0].Reason != ".goreleaser.yml builds[0] names it" {
		t.Errorf("program = %+v", progs[0])
	}
	all, _, _ := m.structuralPrograms(threeOS)
	wantMains(t, "gosec's cmd/ by structure", all, "./cmd/gosec", "./cmd/gosecutil", "./cmd/tlsconfig")
	id := identity(t, m, "./cmd/gosec")
	if id.Vars != (Vars{Version: "main.Version", Date: "main.BuildDate"}) || id.ReadsBuildInfo {
		t.Errorf("Identity = %+v, want main.Version, main.BuildDate, no build info", id)
	}
	rows, _ := m.Release.Render(release, m.Name(), []matrix.Platform{linuxAMD64})
	if len(rows) != 1 || rows[0].Cgo != "0" || !slices.Contains(rows[0].LDFlags, "main.Version=1.2.3") || !slices.Contains(rows[0].LDFlags, "main.GitTag=v1.2.3") {
		t.Errorf("Render = %+v", rows)
	}
}

// go-task: internal/version.version (a go:embed string) and .commit, a
// bool named Version in internal/flags, a release script and a test helper
// under cmd/ that the v2 config does not list.
func TestRealTask(t *testing.T) {
	m := realModule(t, "github.com/go-task/task/v3@v3.54.0")
	progs, _ := programs(t, m, threeOS)
	wantMains(t, "task", progs, "./cmd/task")
	all, _, _ := m.structuralPrograms(threeOS)
	wantMains(t, "task's cmd/ by structure", all, "./cmd/release", "./cmd/sleepit", "./cmd/task")
	id := identity(t, m, "./cmd/task")
	want := Vars{Version: "github.com/go-task/task/v3/internal/version.version", Commit: "github.com/go-task/task/v3/internal/version.commit"}
	if id.Vars != want || !id.ReadsBuildInfo || len(id.Notes) > 0 {
		t.Errorf("Identity = %+v, want %+v and build info", id, want)
	}
	rows, _ := m.Release.Render(release, m.Name(), []matrix.Platform{linuxAMD64})
	if len(rows) != 1 || strings.Join(rows[0].LDFlags, " ") != "-s -w" || !slices.Equal(rows[0].Flags, []string{"-trimpath"}) {
		t.Errorf("Render = %+v (the nightly-only -X must not render)", rows)
	}
}

// xcaddy: no version variable; the cmd package returns &bi.Main and reads
// its Version. Its release build works in a directory a hook makes.
func TestRealXcaddy(t *testing.T) {
	m := realModule(t, "github.com/caddyserver/xcaddy@v0.4.5")
	progs, notes := programs(t, m, threeOS)
	wantMains(t, "xcaddy", progs, "./cmd/xcaddy")
	if !strings.HasPrefix(progs[0].Reason, "README.md: go install github.com/caddyserver/xcaddy/cmd/xcaddy") || !hasNote(notes, `dir "./xcaddy-build" is not a directory of this module`) {
		t.Errorf("program %+v, notes:\n%s", progs[0], noteStrings(notes))
	}
	id := identity(t, m, "./cmd/xcaddy")
	if id.Vars != (Vars{}) || !id.ReadsBuildInfo || id.BuildInfoPackage != "github.com/caddyserver/xcaddy/cmd" {
		t.Errorf("Identity = %+v, want no variables and build info read in .../cmd", id)
	}
}

// syncthing: a root build.go with //go:build tools and package main, the
// programs under cmd/, the version in lib/build.Version.
func TestRealSyncthing(t *testing.T) {
	m := realModule(t, "github.com/syncthing/syncthing@v1.30.0")
	progs, notes := programs(t, m, threeOS)
	wantMains(t, "syncthing", progs, "./cmd/stdiscosrv", "./cmd/strelaysrv", "./cmd/syncthing")
	if !hasNote(notes, "every main package under cmd/ ships: stdiscosrv, strelaysrv, syncthing") {
		t.Errorf("notes:\n%s", noteStrings(notes))
	}
	if !mentionsMain(m.Dir) || len(m.mainPlatforms(m.Dir, threeOS)) > 0 {
		t.Errorf("the root says package main (%v) but must be no program for %v", mentionsMain(m.Dir), threeOS.Platforms)
	}
	if id := identity(t, m, "./cmd/syncthing"); id.Vars != (Vars{Version: "github.com/syncthing/syncthing/lib/build.Version"}) {
		t.Errorf("Identity = %+v", id)
	}
}

// air: a version-less (v0/v1) config, a quoted -X of main.airVersion next
// to main.goVersion from an unset .Env.GOVERSION.
func TestRealAir(t *testing.T) {
	m := realModule(t, "github.com/air-verse/air@v1.67.4")
	if m.Release == nil || m.Release.Version != 0 || !hasNote(m.Notes, "config version 0") {
		t.Fatalf("release config %+v, notes:\n%s", m.Release, noteStrings(m.Notes))
	}
	progs, _ := programs(t, m, threeOS)
	wantMains(t, "air", progs, ".")
	id := identity(t, m, ".")
	if id.Vars != (Vars{Version: "main.airVersion"}) || !id.ReadsBuildInfo {
		t.Errorf("Identity = %+v", id)
	}
	rows, notes := m.Release.Render(release, m.Name(), []matrix.Platform{linuxAMD64})
	if len(rows) != 1 || !hasNote(notes, ".Env.GOVERSION is not set") {
		t.Fatalf("Render = %+v, notes:\n%s", rows, noteStrings(notes))
	}
	got := MergeLDFlags([]string{"-s", "-w", "-X", "main.airVersion=v1.2.3"}, rows[0].LDFlags)
	if want := []string{"-s", "-w", "-X", "main.airVersion=v1.2.3", "-X", "main.goVersion="}; !slices.Equal(got, want) {
		t.Errorf("MergeLDFlags = %q, want %q", got, want)
	}
}

// lego: a v2 config with tags and -X main.version; helper mains under
// internal/generators that it does not list.
func TestRealLego(t *testing.T) {
	m := realModule(t, "github.com/go-acme/lego/v5@v5.6.0")
	progs, _ := programs(t, m, threeOS)
	wantMains(t, "lego", progs, ".")
	helpers, _ := m.walkMains("internal", threeOS)
	if len(helpers) < 4 {
		t.Errorf("internal/ holds %d mains, want the generators", len(helpers))
	}
	if id := identity(t, m, "."); id.Vars != (Vars{Version: "main.version"}) {
		t.Errorf("Identity = %+v", id)
	}
	rows, _ := m.Release.Render(release, m.Name(), []matrix.Platform{linuxAMD64})
	if len(rows) != 1 || !slices.Equal(rows[0].Tags, []string{"urfave_cli_no_template", "ozzo_validation_no_template", "grpcnotrace", "validator_novalidatefn"}) ||
		!slices.Contains(rows[0].LDFlags, "main.version=1.2.3") {
		t.Errorf("Render = %+v", rows)
	}
}

// actionlint: YAML anchors and merge keys, four builds of one program, the
// version in the module root package; the wasm playground is no program.
func TestRealActionlint(t *testing.T) {
	m := realModule(t, "github.com/rhysd/actionlint@v1.7.12")
	progs, _ := programs(t, m, threeOS)
	wantMains(t, "actionlint", progs, "./cmd/actionlint")
	if !slices.Equal(progs[0].Builds, []int{0, 1, 2}) { // macos, linux, windows; freebsd is not planned
		t.Errorf("Builds = %v", progs[0].Builds)
	}
	if ps := m.mainPlatforms(m.Dir+"/playground", threeOS); len(ps) > 0 {
		t.Errorf("playground (//go:build wasm) is a program for %v", ps)
	}
	if id := identity(t, m, "./cmd/actionlint"); id.Vars != (Vars{Version: "github.com/rhysd/actionlint.version"}) || !id.ReadsBuildInfo {
		t.Errorf("Identity = %+v", id)
	}
}

// vhs: main.Version and main.CommitSHA, build info as a fallback; its
// config only includes another file (no builds).
func TestRealVHS(t *testing.T) {
	m := realModule(t, "github.com/charmbracelet/vhs@v0.10.0")
	progs, _ := programs(t, m, threeOS)
	wantMains(t, "vhs", progs, ".")
	if !hasNote(m.Notes, "not used by kiln: includes") || !hasNote(m.Notes, "variables", "GoReleaser Pro") {
		t.Errorf("notes:\n%s", noteStrings(m.Notes))
	}
	if id := identity(t, m, "."); id.Vars != (Vars{Version: "main.Version", Commit: "main.CommitSHA"}) || !id.ReadsBuildInfo {
		t.Errorf("Identity = %+v", id)
	}
}
