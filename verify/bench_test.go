package verify

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// BenchmarkInspect compares inspecting one real artifact (testdata/progs/web
// built for linux/amd64 with -trimpath -ldflags "-s -w", ~6 MB) in process
// with running the usual tools on it.
//
//	go test -run='^$' -bench=. -benchtime=2s ./verify
func BenchmarkInspect(b *testing.B) {
	path := bin(b, "web-linux-amd64")
	want := Expect{Platform: matrix.MustParse("linux/amd64"), Static: true, Cgo: new(bool)}
	b.Run("ReadFile+Check", func(b *testing.B) {
		for b.Loop() {
			r, err := ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			if err := Check(r, want); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("file+readelf+ldd", func(b *testing.B) {
		tools := testtool.Need(b, "file", "readelf", "ldd")
		for b.Loop() {
			for _, args := range [][]string{{tools[0], path}, {tools[1], "-d", path}, {tools[2], path}} {
				// ldd exits 1 on a static binary ("not a dynamic executable").
				out, _ := exec.Command(args[0], args[1:]...).CombinedOutput()
				if len(out) == 0 {
					b.Fatalf("%s printed nothing", strings.Join(args, " "))
				}
			}
		}
	})
}

// BenchmarkMatrix inspects and checks the default kiln matrix of 7
// binaries (no run checks).
func BenchmarkMatrix(b *testing.B) {
	type item struct {
		path string
		want Expect
	}
	var items []item
	for _, p := range benchPlatforms {
		items = append(items, item{
			bin(b, "web-"+strings.ReplaceAll(p, "/", "-")),
			Expect{Platform: matrix.MustParse(p), Static: true, Cgo: new(bool)},
		})
	}
	b.ResetTimer()
	for b.Loop() {
		for _, it := range items {
			r, err := ReadFile(it.path)
			if err != nil {
				b.Fatal(err)
			}
			if err := Check(r, it.want); err != nil {
				b.Fatal(err)
			}
		}
	}
}
