package release

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// The sample app's configuration, as its magefile sets it (without the
// opt-in OS packages, and probing each binary in verify's run check).
func sampleSettings() Settings {
	return Settings{
		Binaries: []Binary{{Main: "."}, {Main: "./cmd/samplectl"}},
		Package: PackageSettings{
			Service:     &Service{Description: "kiln sample HTTP service", Args: []string{"-addr", "127.0.0.1:8080"}},
			Description: "kiln sample HTTP service", License: "Apache-2.0",
			Image: Image{ExposedPorts: []string{"8080"}},
		},
	}
}

// BenchmarkPackageEvidence: package of the sample app's default 7-platform
// matrix (archives, unit, OCI image) with SBOMs and provenance and
// without; the goal is at most 5% more time with them.
//
//	go test ./release/ -run '^$' -bench PackageEvidence -benchtime 5x -count 3
func BenchmarkPackageEvidence(b *testing.B) {
	testtool.Need(b, "musl-gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc", "git")
	root, err := filepath.Abs("..")
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "sample-app")
	testtool.CopySampleApp(b, root, dir)
	gitRepo(b, dir)
	s := sampleSettings()
	s.Verify.NoRun = true
	env := map[string]string{"KILN_MATRIX": "default", "KILN_VERSION": "v1.2.3"}
	var out bytes.Buffer
	ctx := context.Background()
	p, err := Resolve(ctx, s, WithDir(dir), testCache, WithOutput(&out), WithEnv(func(k string) string { return env[k] }))
	if err != nil {
		b.Fatal(err)
	}
	for _, stage := range []func(context.Context) error{p.Build, p.Verify} {
		if err := stage(ctx); err != nil {
			b.Fatalf("%v\n%s", err, out.String())
		}
	}
	for _, c := range []struct {
		name string
		off  bool
	}{{"evidence", false}, {"none", true}} {
		b.Run(c.name, func(b *testing.B) {
			p.evidence.off = c.off
			for b.Loop() {
				out.Reset()
				if err := p.Package(ctx); err != nil {
					b.Fatalf("%v\n%s", err, out.String())
				}
			}
		})
	}
}
