package bindiff

import (
	"debug/buildinfo"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
)

// A Change is one build info field that differs between the two builds.
type Change struct {
	// Field is "go", "path", "mod", "dep <module path>" or
	// "build <setting>" ("build -tags", "build CGO_ENABLED", ...).
	Field string `json:"field"`
	// A and B are the values in each build; "" is absent.
	A string `json:"a"`
	B string `json:"b"`
}

func (c Change) String() string { return fmt.Sprintf("%s: %q → %q", c.Field, c.A, c.B) }

// readBuildInfo returns r's Go build info, or nil when it has none or it
// cannot be read (debug/buildinfo may panic on hostile input).
func readBuildInfo(r io.ReaderAt) (bi *buildinfo.BuildInfo) {
	defer func() {
		if recover() != nil {
			bi = nil
		}
	}()
	bi, err := buildinfo.Read(r)
	if err != nil {
		return nil
	}
	return bi
}

// buildInfoChanges lists the differences between two build infos: Go
// version, main package path, main module, each dependency by path, each
// setting by key, in that order (dependencies and settings sorted).
func buildInfoChanges(a, b *buildinfo.BuildInfo) []Change {
	var out []Change
	add := func(field, va, vb string) {
		if va != vb {
			out = append(out, Change{field, va, vb})
		}
	}
	add("go", a.GoVersion, b.GoVersion)
	add("path", a.Path, b.Path)
	add("mod", modString(&a.Main), modString(&b.Main))
	da, db := depMap(a.Deps), depMap(b.Deps)
	for _, p := range sortedKeys(da, db) {
		add("dep "+p, da[p], db[p])
	}
	sa, sb := settingMap(a.Settings), settingMap(b.Settings)
	for _, k := range sortedKeys(sa, sb) {
		add("build "+k, sa[k], sb[k])
	}
	return out
}

// modString is a module as `go version -m` shows it: "path version sum",
// and " => path version sum" for a replacement.
func modString(m *debug.Module) string {
	if m == nil || m.Path == "" && m.Version == "" && m.Sum == "" && m.Replace == nil {
		return ""
	}
	return m.Path + " " + versionString(m)
}

// versionString is "version sum => path version sum" without the path.
func versionString(m *debug.Module) string {
	s := m.Version
	if m.Sum != "" {
		s += " " + m.Sum
	}
	if r := m.Replace; r != nil {
		s += " => " + r.Path + " " + r.Version
		if r.Sum != "" {
			s += " " + r.Sum
		}
	}
	return s
}

func depMap(deps []*debug.Module) map[string]string {
	out := map[string]string{}
	for _, d := range deps {
		if d == nil {
			continue
		}
		if _, dup := out[d.Path]; !dup {
			out[d.Path] = versionString(d)
		}
	}
	return out
}

func settingMap(ss []debug.BuildSetting) map[string]string {
	out := map[string]string{}
	for _, s := range ss {
		out[s.Key] = s.Value
	}
	return out
}

func sortedKeys(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
