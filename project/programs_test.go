package project

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

func TestProgramsStructural(t *testing.T) {
	tools := "//go:build tools\n\npackage main\n\nimport _ \"example.com/tool\"\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		o     Options
		want  []string
		why   string
	}{
		{"root main", map[string]string{"main.go": mainFile(""), "cmd/a/main.go": mainFile("")},
			linuxOnly, []string{"."}, "the module root is package main"},
		{"root tools file is not a program", map[string]string{"tools.go": tools, "lib.go": "package m\n",
			"cmd/a/main.go": mainFile(""), "cmd/b/main.go": mainFile("")},
			linuxOnly, []string{"./cmd/a", "./cmd/b"}, "a main package under cmd/"},
		{"with the tools tag it is one", map[string]string{"tools.go": tools, "cmd/a/main.go": mainFile("")},
			Options{Platforms: []matrix.Platform{linuxAMD64}, Tags: []string{"tools"}}, []string{"."}, "the module root is package main"},
		{"a magefile is not a program", map[string]string{"magefile.go": "//go:build mage\n\npackage main\n", "lib.go": "package m\n",
			"cmd/x/main.go": mainFile("")},
			linuxOnly, []string{"./cmd/x"}, "a main package under cmd/"},
		{"a windows-only main on linux", map[string]string{"lib.go": "package m\n", "cmd/svc/main.go": "//go:build windows\n\n" + mainFile(""),
			"cmd/cli/main.go": mainFile("")},
			linuxOnly, []string{"./cmd/cli"}, "a main package under cmd/"},
		{"a windows-only main planned for windows", map[string]string{"lib.go": "package m\n", "cmd/svc/main.go": "//go:build windows\n\n" + mainFile(""),
			"cmd/cli/main.go": mainFile("")},
			threeOS, []string{"./cmd/cli", "./cmd/svc"}, "a main package under cmd/"},
		{"cgo-only main without cgo", map[string]string{"lib.go": "package m\n", "cmd/c/main.go": "package main\n\nimport \"C\"\n\nfunc main() {}\n",
			"tools/t/main.go": mainFile("")},
			linuxOnly, []string{"./tools/t"}, "the module's only main package"},
		{"cgo-only main with cgo", map[string]string{"lib.go": "package m\n", "cmd/c/main.go": "package main\n\nimport \"C\"\n\nfunc main() {}\n"},
			Options{Platforms: []matrix.Platform{linuxAMD64}, Cgo: true}, []string{"./cmd/c"}, "a main package under cmd/"},
		{"skipped directories", map[string]string{"lib.go": "package m\n", "tools/gen/main.go": mainFile(""),
			"testdata/x/main.go": mainFile(""), "vendor/v/main.go": mainFile(""), "_examples/e/main.go": mainFile(""),
			".hidden/h/main.go": mainFile(""), "magefiles/mage.go": mainFile(""),
			"nested/go.mod": "module example.com/nested\n", "nested/main.go": mainFile("")},
			linuxOnly, []string{"./tools/gen"}, "the module's only main package"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := writeModule(t, tc.files)
			progs, _, err := m.Programs(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if got := mains(progs); !slices.Equal(got, tc.want) {
				t.Fatalf("Programs = %v, want %v", got, tc.want)
			}
			for _, p := range progs {
				if p.Reason != tc.why {
					t.Errorf("%s: Reason %q, want %q", p.Main, p.Reason, tc.why)
				}
			}
		})
	}
}

func TestProgramsNames(t *testing.T) {
	m := writeModule(t, map[string]string{"go.mod": "module example.com/tool/v3\n", "main.go": mainFile("")})
	progs, _, err := m.Programs(linuxOnly)
	if err != nil || len(progs) != 1 || progs[0].Name != "tool" || progs[0].ImportPath != "example.com/tool/v3" {
		t.Fatalf("Programs = %+v, %v; want one named tool", progs, err)
	}
	m = writeModule(t, map[string]string{"lib.go": "package m\n", "cmd/a/main.go": mainFile(""), "cmd/b/main.go": mainFile("")})
	progs, notes, _ := m.Programs(linuxOnly)
	if len(progs) != 2 || progs[0].Name != "a" || !hasNote(notes, "every main package under cmd/ ships: a, b", "Config.Binaries") {
		t.Fatalf("Programs = %+v, notes %s", progs, noteStrings(notes))
	}
}

func TestProgramsErrors(t *testing.T) {
	m := writeModule(t, map[string]string{"lib.go": "package m\n", "tools/a/main.go": mainFile(""), "tools/b/main.go": mainFile("")})
	_, _, err := m.Programs(linuxOnly)
	var ce *ChoiceError
	if !errors.As(err, &ce) || !slices.Equal(ce.Candidates, []string{"./tools/a", "./tools/b"}) {
		t.Fatalf("Programs error = %v, want a ChoiceError for ./tools/a and ./tools/b", err)
	}
	for _, want := range []string{`targets.Config.Binaries = []targets.Binary{{Main: "./tools/a"}, {Main: "./tools/b"}}`, "KILN_MAIN=./tools/a,./tools/b"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	m = writeModule(t, map[string]string{"lib.go": "package m\n", "tools.go": "//go:build tools\n\npackage main\n"})
	var ne *NoProgramError
	if _, _, err := m.Programs(linuxOnly); !errors.As(err, &ne) {
		t.Fatalf("Programs error = %v, want NoProgramError", err)
	}
}

func TestProgramsReadme(t *testing.T) {
	base := map[string]string{"lib.go": "package m\n", "cmd/tool/main.go": mainFile(""), "cmd/release/main.go": mainFile(""),
		"plugins/p1/main.go": mainFile(""), "plugins/p2/main.go": mainFile("")}
	for _, tc := range []struct {
		name, readme string
		want         []string
		note         string
	}{
		{"one line", "Install:\n\n```sh\ngo install example.com/m/cmd/tool@latest\n```\n", []string{"./cmd/tool"}, ""},
		{"a pattern", "`go install example.com/m/plugins/...@v1.0.0` and go install -v example.com/m/cmd/tool@latest.",
			[]string{"./plugins/p1", "./plugins/p2", "./cmd/tool"}, ""},
		{"other modules only", "go install golang.org/x/tools/cmd/stringer@latest", []string{"./cmd/release", "./cmd/tool"}, "every main package under cmd/"},
		{"not a program", "go install example.com/m@latest", []string{"./cmd/release", "./cmd/tool"}, "go install example.com/m: not a main package"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"README.md": tc.readme}
			for k, v := range base {
				files[k] = v
			}
			m := writeModule(t, files)
			progs, notes, err := m.Programs(linuxOnly)
			if err != nil {
				t.Fatal(err)
			}
			if got := mains(progs); !slices.Equal(got, tc.want) {
				t.Fatalf("Programs = %v, want %v (notes %s)", got, tc.want, noteStrings(notes))
			}
			if tc.note != "" && !hasNote(notes, tc.note) {
				t.Errorf("notes lack %q:\n%s", tc.note, noteStrings(notes))
			}
			if tc.note == "" && !strings.HasPrefix(progs[0].Reason, "README.md: go install example.com/m/") {
				t.Errorf("Reason = %q", progs[0].Reason)
			}
		})
	}
}

func TestProgramsReleaseConfig(t *testing.T) {
	m := writeModule(t, map[string]string{
		"lib.go": "package m\n", "cmd/tool/main.go": mainFile(""), "cmd/helper/main.go": mainFile(""),
		"plugins/p/main.go": mainFile(""), "internal/lib/lib.go": "package lib\n",
		".goreleaser.yaml": `version: 2
project_name: suite
builds:
  - id: tool
    main: ./cmd/tool
    binary: "{{ .ProjectName }}-tool"
  - id: tool-arm
    main: ./cmd/tool/main.go
    binary: suite-tool
    goarch: [arm64]
  - id: plugin
    dir: plugins
    main: ./p
  - id: rust
    builder: rust
  - id: off
    main: ./cmd/helper
    skip: true
  - id: lib
    main: ./internal/lib
  - id: generated
    dir: ./made-by-a-hook
  - id: per-arch
    main: ./cmd/tool
    binary: tool-{{ .Arch }}
    goos: [darwin]
  - id: bsd
    main: ./cmd/tool
    goos: [freebsd]
`})
	progs, notes, err := m.Programs(threeOS)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		name, main string
		builds     []int
		plats      int
	}
	var got []row
	for _, p := range progs {
		got = append(got, row{p.Name, p.Main, p.Builds, len(p.Platforms)})
	}
	want := []row{{"suite-tool", "./cmd/tool", []int{0, 1}, 3}, {"suite", "./plugins/p", []int{2}, 3}, {"tool", "./cmd/tool", []int{7}, 1}}
	if len(got) != len(want) {
		t.Fatalf("Programs = %+v\nwant %+v\nnotes:\n%s", got, want, noteStrings(notes))
	}
	for i := range want {
		if got[i].name != want[i].name || got[i].main != want[i].main || !slices.Equal(got[i].builds, want[i].builds) || got[i].plats != want[i].plats {
			t.Errorf("program %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, n := range [][]string{
		{"builds[3] (id rust)", `builder "rust"`},
		{"builds[5] (id lib)", "./internal/lib is not package main"},
		{"builds[6] (id generated)", `dir "./made-by-a-hook" is not a directory of this module`},
		{"builds[7] (id per-arch)", "changes per platform", "named after its main package"},
		{"builds[8] (id bsd)", "builds only for freebsd/386, freebsd/amd64, freebsd/arm64"},
	} {
		if !hasNote(notes, n...) {
			t.Errorf("notes lack %q:\n%s", n, noteStrings(notes))
		}
	}
	if hasNote(notes, "builds[4]") {
		t.Errorf("a skipped build gets a note:\n%s", noteStrings(notes))
	}
}
