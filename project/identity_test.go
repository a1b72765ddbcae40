package project

import (
	"slices"
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

func TestIdentityVars(t *testing.T) {
	verPkg := func(body string) string { return "package version\n\n" + body + "\n" }
	for _, tc := range []struct {
		name  string
		files map[string]string
		o     Options
		want  Vars
		note  []string // parts of a note that must be there
	}{
		{"main.Version", map[string]string{"main.go": mainFile(`var Version string`)}, linuxOnly,
			Vars{Version: "main.Version"}, nil},
		{"grouped, literal and typed forms", map[string]string{"main.go": mainFile("var (\n\tversion = \"dev\"\n\tgitCommit string = \"none\"\n\tBuildDate, other string\n)")}, linuxOnly,
			Vars{Version: "main.version", Commit: "main.gitCommit", Date: "main.BuildDate"}, nil},
		{"a string constant initialiser", map[string]string{"main.go": mainFile("const def = \"dev\"\n\nvar version = def + \"-x\"")}, linuxOnly,
			Vars{Version: "main.version"}, nil},
		{"a bool named Version is not a candidate", map[string]string{
			"main.go":               mainFile("import _ \"example.com/m/internal/version\"\n\nvar Version bool"),
			"internal/version/v.go": verPkg(`var Version = "dev"`)}, linuxOnly,
			Vars{Version: "example.com/m/internal/version.Version"}, nil},
		{"only a bool, a constant, a call and a named type", map[string]string{
			"main.go": mainFile("import \"fmt\"\n\ntype S string\n\nvar Version bool\n\nconst VERSION = \"1\"\n\nvar appVersion = fmt.Sprint(1)\n\nvar mainVersion S = \"x\"")}, linuxOnly,
			Vars{}, []string{"no string variable -X can set holds the version", "main.Version is of type bool", "main.VERSION is a constant",
				"main.appVersion is initialised by a non-constant expression", "main.mainVersion is of type main.S"}},
		{"main before the version package", map[string]string{
			"main.go":               mainFile("import _ \"example.com/m/internal/version\"\n\nvar version string"),
			"internal/version/v.go": verPkg(`var Version = "dev"`)}, linuxOnly,
			Vars{Version: "main.version"}, nil},
		{"cmd, then the module root", map[string]string{
			"cmd/tool/main.go": mainFile("import _ \"example.com/m/cmd\"\nimport _ \"example.com/m\""),
			"cmd/root.go":      "package cmd\n\nvar version = \"dev\"\n",
			"m.go":             "package m\n\nvar Version = \"dev\"\nvar Commit string\n"}, linuxOnly,
			Vars{Version: "example.com/m/cmd.version", Commit: "example.com/m.Commit"}, nil},
		{"a package not imported is not searched", map[string]string{
			"cmd/tool/main.go":      mainFile(""),
			"internal/version/v.go": verPkg(`var Version = "dev"`)}, linuxOnly,
			Vars{}, nil},
		{"program-named prefix, not goVersion", map[string]string{"go.mod": "module example.com/air\n",
			"main.go": mainFile("var (\n\tairVersion string\n\tgoVersion string\n)")}, linuxOnly,
			Vars{Version: "main.airVersion"}, nil},
		{"ambiguous in one tier", map[string]string{
			"main.go":        mainFile("import _ \"example.com/m/a/version\"\nimport _ \"example.com/m/b/version\""),
			"a/version/v.go": verPkg(`var Version = "dev"`), "b/version/v.go": verPkg(`var Version = "dev"`)}, linuxOnly,
			Vars{}, []string{"the version variable is ambiguous", `targets.Config.VersionVars.Version = "example.com/m/a/version.Version"`,
				`targets.Config.VersionVars.Version = "example.com/m/b/version.Version"`}},
		{"exact names before prefixed ones", map[string]string{"main.go": mainFile("var (\n\tversion string\n\tappVersion string\n)")}, linuxOnly,
			Vars{Version: "main.version"}, nil},
		{"a file the build excludes", map[string]string{"main.go": mainFile(""), "v_windows.go": "package main\n\nvar version string\n"}, linuxOnly,
			Vars{}, nil},
		{"the same file on windows", map[string]string{"main.go": mainFile(""), "v_windows.go": "package main\n\nvar version string\n"},
			Options{Platforms: []matrix.Platform{windowsAMD64}}, Vars{Version: "main.version"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := writeModule(t, tc.files)
			main := "."
			if _, ok := tc.files["cmd/tool/main.go"]; ok {
				main = "./cmd/tool"
			}
			id, err := m.Identity(main, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if id.Vars != tc.want {
				t.Errorf("Identity(%s).Vars = %+v, want %+v (notes %s)", main, id.Vars, tc.want, noteStrings(id.Notes))
			}
			for _, n := range tc.note {
				if !hasNote(id.Notes, n) {
					t.Errorf("notes lack %q:\n%s", n, noteStrings(id.Notes))
				}
			}
			if tc.note == nil && len(id.Notes) > 0 {
				t.Errorf("unexpected notes:\n%s", noteStrings(id.Notes))
			}
		})
	}
}

func TestIdentityBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       bool
	}{
		{"X.Main.Version", "import \"runtime/debug\"\n\nfunc v() string {\n\tif info, ok := debug.ReadBuildInfo(); ok {\n\t\treturn info.Main.Version\n\t}\n\treturn \"\"\n}", true},
		{"through a *debug.Module", "import rd \"runtime/debug\"\n\nfunc mod() *rd.Module {\n\tbi, _ := rd.ReadBuildInfo()\n\treturn &bi.Main\n}\n\nfunc v() string {\n\tm := mod()\n\treturn m.Version\n}", true},
		{"SetTraceback only", "import \"runtime/debug\"\n\nfunc init() { debug.SetTraceback(\"all\") }", false},
		{"dependencies' versions only", "import \"runtime/debug\"\n\nfunc v() (s string) {\n\tbi, _ := debug.ReadBuildInfo()\n\tfor _, d := range bi.Deps {\n\t\ts += d.Version\n\t}\n\treturn bi.Main.Path + s\n}", false},
		{"a write, not a read", "import \"runtime/debug\"\n\nfunc v() {\n\tbi, _ := debug.ReadBuildInfo()\n\tbi.Main.Version = \"x\"\n}", false},
		{"another package named debug", "import debug \"example.com/m/debug\"\n\nfunc v() string {\n\tbi := debug.ReadBuildInfo()\n\treturn bi.Main.Version\n}", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := writeModule(t, map[string]string{"main.go": mainFile(tc.body),
				"debug/d.go": "package debug\n\ntype M struct{ Version string }\ntype B struct{ Main M }\n\nfunc ReadBuildInfo() B { return B{} }\n"})
			id, err := m.Identity(".", linuxOnly)
			if err != nil {
				t.Fatal(err)
			}
			if id.ReadsBuildInfo != tc.want {
				t.Errorf("ReadsBuildInfo = %v, want %v", id.ReadsBuildInfo, tc.want)
			}
		})
	}
}

func TestIdentityErrors(t *testing.T) {
	m := writeModule(t, map[string]string{"lib.go": "package m\n", "cmd/a/main.go": mainFile("")})
	for _, main := range []string{".", "./cmd/b", "../x", "example.org/other/cmd/a"} {
		if _, err := m.Identity(main, linuxOnly); err == nil {
			t.Errorf("Identity(%q) = nil error, want one", main)
		}
	}
	for _, main := range []string{"./cmd/a", "cmd/a", "example.com/m/cmd/a", "./cmd/a/main.go"} {
		if _, err := m.Identity(main, linuxOnly); err != nil {
			t.Errorf("Identity(%q): %v", main, err)
		}
	}
}

// TestIdentityPackages: the packages an Identity was read from are the
// main package and the module's packages it imports, not the others.
func TestIdentityPackages(t *testing.T) {
	m := writeModule(t, map[string]string{
		"cmd/tool/main.go":      mainFile("import _ \"example.com/m/internal/version\""),
		"internal/version/v.go": "package version\n\nimport _ \"example.com/m/internal/util\"\n\nvar Version string\n",
		"internal/util/u.go":    "package util\n",
		"internal/other/o.go":   "package other\n",
	})
	id, err := m.Identity("./cmd/tool", linuxOnly)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"./cmd/tool", "./internal/version", "./internal/util"}; !slices.Equal(id.Packages, want) {
		t.Errorf("Packages = %q, want %q", id.Packages, want)
	}
}
