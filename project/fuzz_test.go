package project

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

// FuzzParseConfig: any bytes give a Config or a ConfigError, never a panic,
// and what parses renders without one.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(v2Config))
	f.Add([]byte("build:\n  main: main.go\n  goarch: [386]\n"))
	f.Add([]byte("a: &a [*a, *a]\nbuilds: *a\n"))
	f.Add([]byte("builds:\n- ldflags: '{{ range split .Version \".\" }}{{.}}{{ end }}'\n  targets: [linux_arm_9, x]\n"))
	seeds, _ := filepath.Glob("testdata/goreleaser/*.yml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	arm7 := matrix.Platform{OS: "linux", Arch: "arm", Variant: "7"}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(".goreleaser.yml", data)
		if err != nil {
			return
		}
		c.Platforms()
		c.Render(facts, "tool", []matrix.Platform{linuxAMD64, arm7})
		c.Render(facts, "tool", nil)
	})
}

// FuzzRender: any template renders or fails within its bounds, never
// panics, and never runs long.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		`-s -w -X main.version={{.Version}} -X main.commit={{.Commit}} -X main.date={{.Date}}`,
		`{{ if .IsSnapshot }}x{{ else }}{{ tolower .Os }}{{ end }}`,
		`{{ range split .Tag "." }}{{ . }}{{ end }}`,
		`{{ .Env.FOO }}{{ .GOVERSION }}{{ index .Env "X" }}`,
		`{{ with $x := .Major }}{{ $x }}{{ end }}{{ printf "%d" .Minor }}`,
		`{{ filter "a\nb" "^a" }}{{ map "a" "b" | len }}`,
	} {
		f.Add(s)
	}
	data := facts.data("tool", &linuxAMD64, facts.Env, map[string]any{"n": 1000000000})
	f.Fuzz(func(t *testing.T, tmpl string) {
		start := time.Now()
		out, _, _ := render(tmpl, data, facts.Date)
		if len(out) > maxOutput {
			t.Fatalf("rendered %d bytes", len(out))
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("rendering %q took %v", tmpl, d)
		}
	})
}
