package project

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// BuildFlags are one build of the release config rendered for one
// platform: what the maintainers state for it. A plan applies a row to the
// Program whose Builds hold its Build index (Render does not check the
// module, so it also renders builds Programs left out).
type BuildFlags struct {
	// Build is the index in Config.Builds; ID its id.
	Build int
	ID    string
	// Program is the binary's name; Main its main package ("./cmd/tool").
	Program, Main string
	Platform      matrix.Platform
	// LDFlags are the linker arguments, split ("-s", "-w", "-X", "main.version=1.2.3").
	LDFlags []string
	// Flags are the go build flags (-trimpath, -gcflags=…, -buildmode=…);
	// -tags and -ldflags written there are moved to Tags and LDFlags.
	Flags []string
	// Tags are the build tags.
	Tags []string
	// Env is the file's environment for the build: the top-level env,
	// then the build's, then its override's, rendered.
	Env []string
	// Cgo is the maintainers' cgo statement: "0" or "1" from CGO_ENABLED in
	// Env, "" when they state none.
	Cgo string
}

// projectName is the name templates see as .ProjectName.
func (c *Config) projectName(f Facts, moduleName string) string {
	switch {
	case f.ProjectName != "":
		return f.ProjectName
	case c.ProjectName != "":
		return c.ProjectName
	case moduleName != "":
		return moduleName
	}
	return ShortName(f.ModulePath)
}

// Skipped reports whether the build says skip: true (templates rendered
// with empty facts: a release is not a snapshot).
func (b Build) Skipped() (bool, error) {
	s, _, err := render(b.Skip, Facts{}.data("", nil, nil, nil), Facts{}.Date)
	return strings.TrimSpace(strings.ToLower(s)) == "true", err
}

// binaryName is the build's binary name for kiln, which names a program
// once for every platform: the binary template rendered with the project
// name, or "" with a note when the template varies per platform or
// release (the caller then names it after its main package).
func (c *Config) binaryName(b Build, moduleName string) (string, string) {
	tmpl := cmp.Or(b.Binary, "{{ .ProjectName }}")
	for _, f := range append(slices.Clone(platformFields), "Version", "Tag", "Commit", "ShortCommit", "FullCommit", "Date", "Timestamp") {
		if strings.Contains(tmpl, "."+f) {
			return "", fmt.Sprintf("binary %q changes per platform or release; kiln names a program once (each platform has its own directory): named after its main package", b.Binary)
		}
	}
	name, _, err := render(tmpl, Facts{}.data(c.projectName(Facts{}, moduleName), nil, nil, c.vars), Facts{}.Date)
	if err != nil {
		return "", fmt.Sprintf("binary %q: %v; named after its main package", b.Binary, err)
	}
	name = strings.TrimSpace(name)
	if base := path.Base(name); base != name {
		return base, fmt.Sprintf("binary %q is a path; kiln names the binary %q", b.Binary, base)
	}
	return name, ""
}

// Render renders every Go build of the file for each of platforms that the
// build covers (os and arch equal; the platform's variant is used), or for
// the build's own platforms when platforms is nil. A platform two builds of
// one program cover takes the first build, with a note. moduleName names
// programs and .ProjectName when neither f nor the file does.
func (c *Config) Render(f Facts, moduleName string, platforms []matrix.Platform) ([]BuildFlags, []Note) {
	var out []BuildFlags
	notes := noteSet{}
	proj := c.projectName(f, moduleName)
	for i, b := range c.Builds {
		where := fmt.Sprintf("%s builds[%d]", c.File, i)
		if !b.IsGo() {
			continue
		}
		if skip, err := b.Skipped(); skip || err != nil {
			continue
		}
		name, _ := c.binaryName(b, cmp.Or(moduleName, ShortName(f.ModulePath)))
		main := "./" + path.Clean(path.Join(cmp.Or(b.Dir, "."), cmp.Or(b.Main, ".")))
		if strings.HasSuffix(main, ".go") {
			main = "./" + path.Dir(strings.TrimPrefix(main, "./"))
		}
		if main == "./." {
			main = "."
		}
		if name == "" {
			name = ShortName(main)
			if main == "." {
				name = proj
			}
		}
		own, pnotes := b.Platforms()
		for _, n := range pnotes {
			notes.add(where, n)
		}
		for _, p := range coveredPlatforms(own, platforms) {
			if j := slices.IndexFunc(out, func(o BuildFlags) bool { return o.Program == name && o.Platform == p }); j >= 0 {
				notes.add(where, fmt.Sprintf("also builds %s for %s; kiln ships one binary per program and platform: builds[%d]'s", name, p, out[j].Build))
				continue
			}
			bf := c.renderOne(b, i, f, proj, p, notes.adder(where))
			bf.Program, bf.Main = name, main
			out = append(out, bf)
		}
	}
	return out, notes.list
}

// coveredPlatforms are the requested platforms whose os/arch the build's
// own platforms include (all of own when requested is nil).
func coveredPlatforms(own, requested []matrix.Platform) []matrix.Platform {
	if requested == nil {
		return own
	}
	var out []matrix.Platform
	for _, p := range requested {
		if slices.ContainsFunc(own, func(o matrix.Platform) bool { return o.OS == p.OS && o.Arch == p.Arch }) {
			out = append(out, p)
		}
	}
	return out
}

// renderOne renders build b for platform p.
func (c *Config) renderOne(b Build, idx int, f Facts, proj string, p matrix.Platform, note func(string)) BuildFlags {
	bf := BuildFlags{Build: idx, ID: b.ID, Platform: p}
	d := b.Details
	for _, o := range b.Overrides {
		if o.matches(p) {
			d = mergeDetails(d, o.Details)
			break
		}
	}
	env := map[string]string{}
	for k, v := range f.Env {
		env[k] = v
	}
	apply := func(field string, list []string) []string {
		var outs []string
		for _, s := range list {
			data := f.data(proj, &p, env, c.vars)
			r, ns, err := render(s, data, f.Date)
			for _, n := range ns {
				note(field + ": " + n)
			}
			if err != nil {
				note(fmt.Sprintf("%s %q: %v; left out", field, s, err))
				continue
			}
			if r = strings.TrimSpace(r); r != "" {
				outs = append(outs, r)
			}
		}
		return outs
	}
	for _, e := range append(apply("env", c.Env), apply("env", d.Env)...) {
		k, v, ok := strings.Cut(e, "=")
		if !ok || k == "" {
			note(fmt.Sprintf("env %q: want KEY=value; left out", e))
			continue
		}
		env[k] = v
		bf.Env = append(bf.Env, e)
		if k == "CGO_ENABLED" {
			bf.Cgo = v
		}
	}
	for _, l := range apply("ldflags", d.LDFlags) {
		args, err := SplitFlags(l)
		if err != nil {
			note(fmt.Sprintf("ldflags %q: %v; left out", l, err))
			continue
		}
		bf.LDFlags = append(bf.LDFlags, args...)
	}
	for _, t := range apply("tags", d.Tags) {
		bf.Tags = appendTags(bf.Tags, t)
	}
	flags := apply("flags", d.Flags)
	for i := 0; i < len(flags); i++ {
		fl := flags[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(fl, "-"), "=")
		switch {
		case name == "tags" || name == "ldflags":
			if !hasVal && i+1 < len(flags) {
				i++
				val = flags[i]
			}
			if name == "tags" {
				bf.Tags = appendTags(bf.Tags, val)
			} else if args, err := SplitFlags(val); err == nil {
				bf.LDFlags = append(bf.LDFlags, args...)
			} else {
				note(fmt.Sprintf("flags %q: %v; left out", fl, err))
			}
		default:
			bf.Flags = append(bf.Flags, fl)
		}
	}
	for _, g := range apply("gcflags", d.Gcflags) {
		bf.Flags = append(bf.Flags, "-gcflags="+g)
	}
	for _, a := range apply("asmflags", d.Asmflags) {
		bf.Flags = append(bf.Flags, "-asmflags="+a)
	}
	if bm := apply("buildmode", []string{d.Buildmode}); len(bm) > 0 {
		bf.Flags = append(bf.Flags, "-buildmode="+bm[0])
	}
	return bf
}

// appendTags adds the tags of a tags entry ("a,b" or "a b").
func appendTags(tags []string, s string) []string {
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	return tags
}

// mergeDetails applies an override: its non-empty fields replace, its env
// adds.
func mergeDetails(d, o Details) Details {
	r := d
	if len(o.LDFlags) > 0 {
		r.LDFlags = o.LDFlags
	}
	if len(o.Flags) > 0 {
		r.Flags = o.Flags
	}
	if len(o.Tags) > 0 {
		r.Tags = o.Tags
	}
	if len(o.Gcflags) > 0 {
		r.Gcflags = o.Gcflags
	}
	if len(o.Asmflags) > 0 {
		r.Asmflags = o.Asmflags
	}
	if o.Buildmode != "" {
		r.Buildmode = o.Buildmode
	}
	r.Env = append(slices.Clone(d.Env), o.Env...)
	return r
}

// noteSet collects notes once each, in order.
type noteSet struct{ list []Note }

func (s *noteSet) add(where, text string) {
	n := Note{where, text}
	if !slices.Contains(s.list, n) {
		s.list = append(s.list, n)
	}
}

func (s *noteSet) adder(where string) func(string) {
	return func(t string) { s.add(where, t) }
}
