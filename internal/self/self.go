// Package self is what kiln knows of itself: its module path and the
// version of it that runs.
package self

import "runtime/debug"

// Module is kiln's module path, to find its version in the running
// program's build info.
const Module = "github.com/kiln-build/kiln"

// Version is the version of kiln that runs: "devel" for a checkout.
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := ""
	if bi.Main.Path == Module {
		v = bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == Module {
			v = d.Version
			if d.Replace != nil {
				v = d.Replace.Version
			}
		}
	}
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}
