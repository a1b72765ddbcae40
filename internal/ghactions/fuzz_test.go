package ghactions

import (
	"strings"
	"testing"
)

// FuzzAnnotations checks that any compiler output parses without panicking
// and that every annotation is one workflow command line.
func FuzzAnnotations(f *testing.F) {
	f.Add("# example.com/m\n./main.go:2:15: declared and not used: x\n\thave ()\n")
	f.Add("C:\\a\\main.go:4:2: undefined: w\r\n")
	f.Add("/src/repo/x.go:5:3: m\n../y.go:1: n\ngo: downloading\n")
	f.Fuzz(func(t *testing.T, out string) {
		for _, a := range Annotations(out, "/src/repo/mod", "/src/repo") {
			if a.Line <= 0 || a.Col < 0 {
				t.Errorf("annotation %#v: bad position", a)
			}
			if s := a.String(); strings.ContainsAny(s, "\r\n") {
				t.Errorf("annotation %#v: command %q spans lines", a, s)
			}
		}
	})
}
