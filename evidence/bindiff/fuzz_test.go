package bindiff

import (
	"errors"
	"os"
	"testing"
)

// FuzzExplain compares a real binary with a fuzzed one: a Diff or an error
// wrapping ErrNotExecutable, never a panic. Real binaries (ELF, PE,
// Mach-O) are the seeds.
func FuzzExplain(f *testing.F) {
	var base []byte
	if !testing.Short() {
		for _, name := range []string{"v1", "tags", "win", "darwin"} {
			data, err := os.ReadFile(build(f, name))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
			if base == nil {
				base = data
			}
		}
	}
	f.Add([]byte("\x7fELF\x02\x01\x01"))
	f.Add([]byte("MZ"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, a := range [][]byte{base, data[:len(data)/2]} {
			d, err := Explain(reader(a), reader(data))
			if err != nil && !errors.Is(err, ErrNotExecutable) {
				t.Fatalf("Explain = %v, want nil or ErrNotExecutable", err)
			}
			_ = d.String()
		}
	})
}
