package gobuild_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// BenchmarkJobs measures a relink of the sample app's default matrix
// (7 platforms, 3 of them static cgo) with a warm GOCACHE and the outputs
// removed, at 1 to 4 builds at once: the figures behind DefaultJobs.
//
//	go test -run '^$' -bench Jobs -benchtime 1x -count 3 ./gobuild
func BenchmarkJobs(b *testing.B) {
	testtool.Need(b, "musl-gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc")
	dir := copyModule(b, filepath.Join(tmpRoot, "bench", "src"))
	out := filepath.Join(tmpRoot, "bench", "dist")
	ss := specs(dir, out, matrix.Default)
	// Warm the cache for every platform.
	if _, err := newEngine(b).BuildAll(context.Background(), ss, nil); err != nil {
		b.Fatal(err)
	}
	for _, jobs := range []int{1, 2, 3, 4} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				if err := os.RemoveAll(out); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rs, err := newEngine(b, gobuild.WithJobs(jobs)).BuildAll(context.Background(), ss, nil)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rs {
					if r.Status != gobuild.Built {
						b.Fatalf("%s: %s, want built", r.Spec.Platform, r.Status)
					}
				}
			}
		})
	}
}

// BenchmarkNoOp measures a run of the default matrix in which nothing
// changed: every output is up to date (the DESIGN promises well under a
// second). TestUpToDateMatrix checks what such a run does; this measures
// how long it takes.
//
//	go test -run '^$' -bench NoOp -benchtime 10x ./gobuild
func BenchmarkNoOp(b *testing.B) {
	testtool.Need(b, "musl-gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc")
	dir := copyModule(b, filepath.Join(tmpRoot, "noop", "src"))
	ss := specs(dir, filepath.Join(tmpRoot, "noop", "dist"), matrix.Default)
	if _, err := newEngine(b).BuildAll(context.Background(), ss, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		rs, err := newEngine(b).BuildAll(context.Background(), ss, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			if r.Status != gobuild.UpToDate {
				b.Fatalf("%s: %s, want up to date", r.Spec.Platform, r.Status)
			}
		}
	}
}
