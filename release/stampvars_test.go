package release

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestVersionVars: a program whose version variable lives in another
// package gets a warning naming the line of config; with VersionVars set
// it reports the stamped version.
func TestVersionVars(t *testing.T) {
	dir := testModule(t)
	files := map[string]string{
		"main.go":                     "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/tool/internal/version\"\n)\n\nfunc main() { fmt.Println(\"tool\", version.Version) }\n",
		"internal/version/version.go": "package version\n\n// Version is set by the build.\nvar Version = \"dev\"\n",
	}
	for name, data := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := mustRun(t, dir, []string{"KILN_VERSION=1.2.3", "KILN_MATRIX=" + runtime.GOOS + "/" + runtime.GOARCH}, (*Plan).Build)
	want := `targets.Config.VersionVars.Version = "example.com/tool/internal/version.Version"`
	if !strings.Contains(out, "has no variable version") || !strings.Contains(out, want) {
		t.Errorf("build output lacks the warning with %s:\n%s", want, out)
	}

	var buf strings.Builder
	s := Settings{VersionVars: StampVars{Version: "example.com/tool/internal/version.Version"}}
	p, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&buf), ForHost(),
		WithEnv(func(k string) string { return map[string]string{"KILN_VERSION": "1.2.3"}[k] }))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Build(context.Background()); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if strings.Contains(buf.String(), "has no variable") {
		t.Errorf("warned with VersionVars set:\n%s", buf.String())
	}
	exe := filepath.Join(p.Out, filepath.FromSlash(p.BinaryPath(p.Binaries[0], p.Platforms[0])))
	got, err := exec.Command(exe).Output()
	if err != nil || strings.TrimSpace(string(got)) != "tool v1.2.3" {
		t.Errorf("%s printed %q (%v), want \"tool v1.2.3\"", exe, got, err)
	}
}
