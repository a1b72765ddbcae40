package verify

import (
	"debug/buildinfo"
	"io"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// readBuildInfo fills the Go build info fields of rep from r. A file without
// build info (not a Go program, or unreadable info) leaves them empty.
func readBuildInfo(rep *Report, r io.ReaderAt) {
	bi, err := buildinfo.Read(r)
	if err != nil {
		return
	}
	rep.GoVersion = bi.GoVersion
	rep.Main = bi.Path
	rep.Settings = make(map[string]string, len(bi.Settings))
	for _, s := range bi.Settings {
		rep.Settings[s.Key] = s.Value
	}
	if env := variantEnv(rep.Arch); env != "" {
		v := rep.Settings[env]
		// GOARM may carry a float suffix: "7,softfloat".
		v, _, _ = strings.Cut(v, ",")
		rep.Variant = v
	}
}

// variantEnv returns the GO* variable that selects a variant of arch
// ("GOARM" for arm), or "" when the arch has none. matrix owns the table.
func variantEnv(arch string) string {
	env := matrix.Platform{Arch: arch, Variant: "x"}.VariantEnv()
	name, _, _ := strings.Cut(env, "=")
	return name
}

// dedup returns s without repeated entries, keeping the first of each.
func dedup(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
