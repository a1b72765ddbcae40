package releasetest

import (
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// CmdMain is a main package with a string variable for the version.
const CmdMain = "package main\n\nvar version string\n\nfunc main() { println(version) }\n"

// ReleaseModule returns the files (path → content; no go.mod) of a module
// with two programs the release config builds (one under a binary name of
// its own, with tags, env, flags, ldflags and CGO_ENABLED=0), a helper it
// does not list, and a build for windows only. Each call returns a new map.
func ReleaseModule() map[string]string {
	return map[string]string{
		"cmd/tool/main.go":   CmdMain,
		"cmd/toold/main.go":  CmdMain,
		"cmd/helper/main.go": CmdMain,
		"cmd/win/main.go":    CmdMain,
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
}

// WriteModule writes files (path → content) into a new module directory,
// with the go.mod of example.com/tool unless files has one.
func WriteModule(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if _, ok := files["go.mod"]; !ok {
		files["go.mod"] = "module example.com/tool\n\ngo 1.22\n"
	}
	if err := testtool.WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}
