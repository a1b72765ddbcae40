package project

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

const v2Config = `version: 2
project_name: tool
env:
  - CGO_ENABLED=1
builds:
  - <<: &defaults
      main: ./cmd/tool
      ldflags: -s -w -X main.version={{.Version}} -X "main.note=built {{ .ShortCommit }}"
      flags: -trimpath -tags=netgo
    id: linux
    goos: [linux]
    goarch: [amd64, arm]
    goarm: [6, 7]
    tags:
      - osusergo
    env:
      - CGO_ENABLED=0
    hooks:
      pre: echo hi
    overrides:
      - goos: linux
        goarch: arm
        goarm: 7
        tags: [arm7]
  - <<: *defaults
    id: darwin
    goos: [darwin]
    goarch: [amd64, arm64]
    ldflags:
      - -X main.version={{ .Tag }} -X main.os={{ tolower .Os }}_{{ .Arch }}
      - -X main.date={{ .Date }} -X main.ts={{ .CommitTimestamp }} -X main.y={{ time "2006" }}
      - -X main.go={{ .Env.GOVERSION }} -X main.old={{ .GOVERSION }}
      - '{{ if .IsSnapshot }}-X main.snap=1{{ end }}'
    prebuilt: {}
  - id: again
    main: ./cmd/tool
    goos: [linux]
    goarch: [amd64]
    tags: [other]
archives:
  - formats: [tar.gz]
release:
  github: {name: x}
`

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig(".goreleaser.yml", []byte(v2Config))
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != 2 || c.ProjectName != "tool" || len(c.Builds) != 3 || !slices.Equal(c.Env, []string{"CGO_ENABLED=1"}) {
		t.Fatalf("ParseConfig = version %d, project %q, %d builds, env %v", c.Version, c.ProjectName, len(c.Builds), c.Env)
	}
	b := c.Builds[0]
	if b.Main != "./cmd/tool" || !slices.Equal(b.Flags, []string{"-trimpath", "-tags=netgo"}) || !slices.Equal(b.Goarm, []string{"6", "7"}) ||
		len(b.LDFlags) != 1 || len(b.Overrides) != 1 || b.Overrides[0].Goarm != "7" {
		t.Errorf("builds[0] = %+v", b)
	}
	for _, n := range [][]string{
		{".goreleaser.yml: not used by kiln: archives, release"},
		{"builds[*].hooks", "kiln does not run hooks (builds[0])"},
		{"builds[1].prebuilt", "not a GoReleaser build field kiln knows"},
	} {
		if !hasNote(c.Notes, n...) {
			t.Errorf("notes lack %q:\n%s", n, noteStrings(c.Notes))
		}
	}
	if hasNote(c.Notes, "version") {
		t.Errorf("a version 2 config gets a version note:\n%s", noteStrings(c.Notes))
	}
}

func TestParseConfigOld(t *testing.T) {
	c, err := ParseConfig("goreleaser.yml", []byte("build:\n  main: main.go\n  binary: tool\n  goarch: [386, amd64]\n  ldflags: -s -w\n  skip: false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Builds) != 1 || c.Builds[0].Binary != "tool" || !slices.Equal(c.Builds[0].Goarch, []string{"386", "amd64"}) {
		t.Fatalf("builds = %+v", c.Builds)
	}
	if skip, err := c.Builds[0].Skipped(); skip || err != nil {
		t.Errorf("Skipped() = %v, %v", skip, err)
	}
	for _, n := range []string{"config version 0", "the v0 single `build:`"} {
		if !hasNote(c.Notes, n) {
			t.Errorf("notes lack %q:\n%s", n, noteStrings(c.Notes))
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, bad := range []string{"builds: [\n", "- a\n- b\n", "just text\n"} {
		_, err := ParseConfig(".goreleaser.yml", []byte(bad))
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.File != ".goreleaser.yml" {
			t.Errorf("ParseConfig(%q) = %v, want a ConfigError", bad, err)
		}
	}
	c, err := ParseConfig("x.yml", []byte("builds: {main: .}\nversion: two\n"))
	if err != nil || len(c.Builds) != 0 || !hasNote(c.Notes, "builds", "want a list") || !hasNote(c.Notes, `want a number, found "two"`) {
		t.Errorf("ParseConfig = %+v, %v", c, err)
	}
}

func TestBuildPlatforms(t *testing.T) {
	for _, tc := range []struct {
		b    Build
		want string
	}{
		{Build{}, "darwin/386 darwin/amd64 darwin/arm64 linux/386 linux/amd64 linux/arm64 windows/386 windows/amd64 windows/arm64"},
		{Build{Goos: []string{"linux"}, Goarch: []string{"arm", "amd64"}, Goarm: []string{"6", "7"}, Goamd64: []string{"v1", "v3"},
			Ignore: []Target{{Goos: "linux", Goarch: "arm", Goarm: "6"}}}, "linux/amd64 linux/amd64/v3 linux/arm/7"},
		{Build{Goos: []string{"linux", "darwin"}, Goarch: []string{"amd64", "arm64"}, Ignore: []Target{{Goos: "darwin"}}}, "linux/amd64 linux/arm64"},
		{Build{Targets: []string{"linux_amd64_v1", "linux_arm_7", "darwin_arm64", "bogus"}}, "darwin/arm64 linux/amd64 linux/arm/7"},
		{Build{Targets: []string{"go_first_class"}}, "darwin/amd64 darwin/arm64 linux/386 linux/amd64 linux/arm/6 linux/arm64 windows/386 windows/amd64"},
	} {
		ps, _ := tc.b.Platforms()
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("Platforms(%+v) = %v, want %s", tc.b, got, tc.want)
		}
	}
}

var facts = Facts{ModulePath: "example.com/tool", Tag: "v1.2.3-rc.1", Commit: "0123456789abcdef0123",
	CommitDate: time.Unix(1700000000, 0), Date: time.Unix(1700000000, 0), Env: map[string]string{"PATH": "/bin"}}

func TestRender(t *testing.T) {
	c, err := ParseConfig(".goreleaser.yml", []byte(v2Config))
	if err != nil {
		t.Fatal(err)
	}
	arm7, _ := matrix.Parse("linux/arm/7")
	rows, notes := c.Render(facts, "tool", []matrix.Platform{linuxAMD64, arm7, darwinARM64, windowsAMD64})
	byPlat := map[string]BuildFlags{}
	for _, r := range rows {
		byPlat[r.Program+" "+r.Platform.String()] = r
	}
	if len(rows) != 3 {
		t.Fatalf("Render rows = %+v", rows)
	}
	l := byPlat["tool linux/amd64"]
	wantLD := []string{"-s", "-w", "-X", "main.version=1.2.3-rc.1", "-X", "main.note=built 0123456", "-X", "main.version=v1.2.3-rc.1"}
	if !slices.Equal(l.LDFlags, wantLD[:6]) || !slices.Equal(l.Tags, []string{"osusergo", "netgo"}) || !slices.Equal(l.Flags, []string{"-trimpath"}) ||
		l.Cgo != "0" || !slices.Equal(l.Env, []string{"CGO_ENABLED=1", "CGO_ENABLED=0"}) || l.ID != "linux" || l.Main != "./cmd/tool" {
		t.Errorf("linux/amd64 = %+v", l)
	}
	if a := byPlat["tool linux/arm/7"]; !slices.Equal(a.Tags, []string{"arm7", "netgo"}) {
		t.Errorf("linux/arm/7 override: tags %v, want [arm7 netgo]", a.Tags)
	}
	d := byPlat["tool darwin/arm64"]
	wantD := "-X main.version=v1.2.3-rc.1 -X main.os=darwin_arm64 -X main.date=2023-11-14T22:13:20Z -X main.ts=1700000000 -X main.y=2023 -X main.go= -X main.old="
	if strings.Join(d.LDFlags, " ") != wantD || d.Cgo != "1" {
		t.Errorf("darwin/arm64 ldflags = %q (cgo %q), want %q", strings.Join(d.LDFlags, " "), d.Cgo, wantD)
	}
	for _, n := range [][]string{
		{"builds[1]", ".Env.GOVERSION is not set; rendered empty"},
		{"builds[1]", ".GOVERSION is not a GoReleaser template field"},
		{"builds[2]", "also builds tool for linux/amd64", "builds[0]'s"},
	} {
		if !hasNote(notes, n...) {
			t.Errorf("notes lack %q:\n%s", n, noteStrings(notes))
		}
	}
	if _, ok := byPlat["tool windows/amd64"]; ok {
		t.Error("windows/amd64 rendered, but no build states it")
	}
}

func TestRenderTemplates(t *testing.T) {
	data := facts.data("tool", &linuxAMD64, facts.Env, nil)
	for _, tc := range []struct{ in, want, err string }{
		{`{{ .ProjectName }}_{{ .RawVersion }}_{{ .Major }}.{{ .Minor }}.{{ .Patch }}-{{ .Prerelease }}`, "tool_1.2.3_1.2.3-rc.1", ""},
		{`{{ toupper .Os }} {{ replace .Version "." "_" }} {{ trimprefix .Tag "v" }} {{ .Amd64 }} {{ .Target }}`, "LINUX 1_2_3-rc_1 1.2.3-rc.1 v1 linux_amd64_v1", ""},
		{`{{ incpatch "v1.2.3" }} {{ envOrDefault "NOPE" "d" }} {{ isEnvSet "PATH" }} {{ englishJoin (list "a" "b" "c") }}`, "v1.2.4 d true a, b, and c", ""},
		{`{{ range split "a,b" "," }}[{{ . }}]{{ end }}`, "[a][b]", ""},
		{`{{ range split "a" "," }}{{ range split "b" "," }}{{ end }}{{ end }}`, "", "nests range loops"},
		{`{{ range 1000000000000 }}{{ end }}`, "", "ranges over something other than"},
		{`{{ define "x" }}{{ template "x" }}{{ end }}{{ template "x" }}`, "", "defines templates"},
		{`{{ sha256 "go.mod" }}`, "", "not supported by kiln"},
		{`{{ .Os.Nope }}`, "", "can't evaluate field Nope"},
		{`{{ range split (printf "%099999d" 0) "" }}{{ . }}{{ . }}{{ end }}`, "", "renders more than"},
	} {
		got, _, err := render(tc.in, data, facts.Date)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("render(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("render(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestMergeLDFlags(t *testing.T) {
	file, err := SplitFlags(`-s -w -X "main.note=a b" -X main.version=file -extldflags '-static -lm' -s -w -X main.note=last`)
	if err != nil {
		t.Fatal(err)
	}
	got := MergeLDFlags([]string{"-s", "-w", "-X", "main.version=v9"}, file)
	want := []string{"-s", "-w", "-X", "main.version=v9", "-X", "main.note=last", "-extldflags", "-static -lm"}
	if !slices.Equal(got, want) {
		t.Errorf("MergeLDFlags = %q, want %q", got, want)
	}
	s, err := JoinFlags(got)
	if err != nil || s != `-s -w -X main.version=v9 -X main.note=last -extldflags '-static -lm'` {
		t.Errorf("JoinFlags = %q, %v", s, err)
	}
	if back, err := SplitFlags(s); err != nil || !slices.Equal(back, got) {
		t.Errorf("SplitFlags(JoinFlags(x)) = %q, %v; want %q", back, err, got)
	}
	for _, bad := range []string{`-X "unterminated`, `-X "a"b`} {
		if _, err := SplitFlags(bad); err == nil {
			t.Errorf("SplitFlags(%q): no error", bad)
		}
	}
	if _, err := JoinFlags([]string{`a'b"c`}); err == nil {
		t.Error("JoinFlags of both quotes: no error")
	}
}

func TestInstallLines(t *testing.T) {
	got := InstallLines("go install example.com/a/cmd/x@latest.\n`go install -v example.com/a/...@v1` go install example.com/a/cmd/x@main\ngo get example.com/b@v1")
	if want := []string{"example.com/a/cmd/x", "example.com/a/..."}; !slices.Equal(got, want) {
		t.Errorf("InstallLines = %q, want %q", got, want)
	}
}
