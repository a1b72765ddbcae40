package project

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxConfig bounds the bytes of a release config kiln reads.
const maxConfig = 1 << 20

// ConfigFiles are the names GoReleaser looks for, in its order.
var ConfigFiles = []string{
	".config/goreleaser.yml", ".config/goreleaser.yaml",
	".goreleaser.yml", ".goreleaser.yaml",
	"goreleaser.yml", "goreleaser.yaml",
}

// ConfigError reports a release config that cannot be read.
type ConfigError struct {
	File string
	Err  error
}

func (e *ConfigError) Error() string { return e.File + ": " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// Config is the part of a GoReleaser config kiln uses: its Go builds, as
// written (templates unrendered).
type Config struct {
	// File is the config's name relative to the module root.
	File string
	// Version is the file's `version:` (0 when absent: a v0/v1 config).
	Version int
	// ProjectName is project_name, else release.github.name.
	ProjectName string
	// Env is the top-level env, applied to every build before its own.
	Env []string
	// Builds are the builds, in file order.
	Builds []Build
	// Notes name what kiln does not use, once per field.
	Notes []Note

	vars map[string]any // GoReleaser Pro's variables, for .Var
}

// Details are a build's flags, also set per platform by overrides.
type Details struct {
	LDFlags, Flags, Tags, Env, Gcflags, Asmflags []string
	Buildmode                                    string
}

// Target is a platform as GoReleaser spells it; "" fields match any.
type Target struct {
	Goos, Goarch, Goarm, Goamd64, Go386, Goarm64, Gomips, Goppc64, Goriscv64 string
}

// Override is a build's details for the platforms its target matches.
type Override struct {
	Target
	Details
}

// Build is one entry of builds:.
type Build struct {
	ID, Builder, Dir, Main, Binary, Skip, Command string
	Details
	Goos, Goarch, Goarm, Goamd64, Go386, Goarm64, Gomips, Goppc64, Goriscv64 []string
	Targets                                                                  []string
	Ignore                                                                   []Target
	Overrides                                                                []Override
}

// IsGo reports whether the build is a Go build.
func (b Build) IsGo() bool { return b.Builder == "" || b.Builder == "go" }

// ReadConfig reads the module's GoReleaser config from dir: nil, nil when
// there is none; a *ConfigError when it is not a config.
func ReadConfig(dir string) (*Config, error) {
	for _, name := range ConfigFiles {
		data, err := readLimited(filepath.Join(dir, filepath.FromSlash(name)), maxConfig)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, &ConfigError{name, err}
		}
		return ParseConfig(name, data)
	}
	return nil, nil
}

// ParseConfig parses a GoReleaser config. Fields kiln does not use become
// Notes; only bytes that are not a YAML mapping are an error.
func ParseConfig(name string, data []byte) (cfg *Config, err error) {
	defer func() {
		if r := recover(); r != nil { // the YAML reader must not take kiln down
			cfg, err = nil, &ConfigError{name, fmt.Errorf("unreadable YAML: %v", r)}
		}
	}()
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ConfigError{name, fmt.Errorf("not valid YAML: %w", err)}
	}
	c := &Config{File: name}
	if doc == nil {
		return c, nil
	}
	top, ok := asMap(doc)
	if !ok {
		return nil, &ConfigError{name, fmt.Errorf("want a mapping of GoReleaser fields at the top, found %s", kind(doc))}
	}
	r := reader{file: name, unusedIn: map[string][]string{}}
	var unused []string
	for _, k := range sortedKeys(top) {
		v := top[k]
		switch k {
		case "version":
			c.Version = r.int(k, v)
		case "project_name":
			c.ProjectName = r.str(k, v)
		case "env":
			c.Env = r.list(k, v, false)
		case "builds":
			items, ok := v.([]any)
			if !ok && v != nil {
				r.note(k, "want a list of builds; ignored")
			}
			for i, it := range items {
				c.Builds = append(c.Builds, r.build(fmt.Sprintf("builds[%d]", i), it))
			}
		case "build": // GoReleaser v0's single build
			r.note(k, "the v0 single `build:` (GoReleaser now wants `builds:`); read as builds[0]")
			c.Builds = append(c.Builds, r.build("build", v))
		case "variables":
			r.note(k, "a GoReleaser Pro field; kiln renders its values as .Var in templates")
			c.vars, _ = asMap(v)
		default:
			unused = append(unused, k)
		}
	}
	if len(unused) > 0 {
		r.notes = append(r.notes, Note{name, "not used by kiln: " + strings.Join(unused, ", ")})
	}
	if c.ProjectName == "" {
		if rel, ok := asMap(top["release"]); ok {
			if gh, ok := asMap(rel["github"]); ok {
				c.ProjectName, _ = gh["name"].(string)
			}
		}
	}
	switch {
	case c.Version == 0 || c.Version == 1:
		r.note("version", fmt.Sprintf("config version %d (GoReleaser 2 refuses it); kiln reads its builds all the same", c.Version))
	case c.Version != 2:
		r.note("version", fmt.Sprintf("unknown config version %d; kiln reads its builds as version 2", c.Version))
	}
	for _, f := range sortedKeys(anyKeys(r.unusedIn)) {
		r.notes = append(r.notes, Note{name + " builds[*]." + f, fmt.Sprintf("%s (%s)", unusedBuildFields[f], strings.Join(r.unusedIn[f], ", "))})
	}
	c.Notes = r.notes
	return c, nil
}

// reader turns the decoded YAML into typed fields, collecting notes.
type reader struct {
	file     string
	notes    []Note
	unusedIn map[string][]string // known build field kiln leaves alone → the builds that set it
}

func (r *reader) note(where, text string) {
	r.notes = append(r.notes, Note{r.file + " " + where, text})
}

// unusedBuildFields are the build fields kiln knows and leaves alone,
// with the reason.
var unusedBuildFields = map[string]string{
	"hooks":              "kiln does not run hooks",
	"mod_timestamp":      "kiln's outputs are reproducible by themselves",
	"no_unique_dist_dir": "kiln lays out its output directory itself",
	"no_main_check":      "kiln checks main packages itself",
	"tool":               "kiln builds with the active Go toolchain",
	"gobinary":           "kiln builds with the active Go toolchain (and GoReleaser renamed it to tool)",
}

func (r *reader) build(where string, v any) Build {
	var b Build
	m, ok := asMap(v)
	if !ok {
		r.note(where, "want a mapping; ignored")
		return b
	}
	for _, k := range sortedKeys(m) {
		v, w := m[k], where+"."+k
		if r.details(&b.Details, w, k, v) {
			continue
		}
		if _, ok := unusedBuildFields[k]; ok {
			r.unusedIn[k] = append(r.unusedIn[k], where)
			continue
		}
		switch k {
		case "id":
			b.ID = r.str(w, v)
		case "builder":
			b.Builder = r.str(w, v)
		case "dir":
			b.Dir = r.str(w, v)
		case "main":
			b.Main = r.str(w, v)
		case "binary":
			b.Binary = r.str(w, v)
		case "skip":
			b.Skip = r.str(w, v)
		case "command":
			b.Command = r.str(w, v)
		case "targets":
			b.Targets = r.list(w, v, false)
		case "ignore":
			for i, it := range listOf(v) {
				b.Ignore = append(b.Ignore, r.target(fmt.Sprintf("%s[%d]", w, i), it, nil))
			}
		case "overrides":
			for i, it := range listOf(v) {
				var o Override
				o.Target = r.target(fmt.Sprintf("%s[%d]", w, i), it, &o.Details)
				b.Overrides = append(b.Overrides, o)
			}
		default:
			if axis := buildAxis(&b, k); axis != nil {
				*axis = r.list(w, v, false)
				continue
			}
			r.note(w, "not a GoReleaser build field kiln knows (a Pro field, or a typo); not used")
		}
	}
	return b
}

// details reads one of the fields builds and overrides share.
func (r *reader) details(d *Details, where, k string, v any) bool {
	switch k {
	case "ldflags":
		d.LDFlags = r.list(where, v, false)
	case "flags":
		d.Flags = r.list(where, v, true)
	case "tags":
		d.Tags = r.list(where, v, true)
	case "env":
		d.Env = r.list(where, v, false)
	case "gcflags":
		d.Gcflags = r.list(where, v, false)
	case "asmflags":
		d.Asmflags = r.list(where, v, false)
	case "buildmode":
		d.Buildmode = r.str(where, v)
	default:
		return false
	}
	return true
}

// target reads an ignore or override entry; d receives an override's
// details (nil for ignore).
func (r *reader) target(where string, v any, d *Details) Target {
	var t Target
	m, ok := asMap(v)
	if !ok {
		r.note(where, "want a mapping; ignored")
		return Target{Goos: "\x00"} // matches nothing
	}
	for _, k := range sortedKeys(m) {
		if f, ok := targetField(&t, k); ok {
			*f = r.str(where+"."+k, m[k])
			continue
		}
		if d != nil && r.details(d, where+"."+k, k, m[k]) {
			continue
		}
		r.note(where+"."+k, "not used by kiln")
	}
	return t
}

// targetField returns the field of t a platform key names.
func targetField(t *Target, k string) (*string, bool) {
	switch k {
	case "goos":
		return &t.Goos, true
	case "goarch":
		return &t.Goarch, true
	case "goarm":
		return &t.Goarm, true
	case "goamd64":
		return &t.Goamd64, true
	case "go386":
		return &t.Go386, true
	case "goarm64":
		return &t.Goarm64, true
	case "gomips":
		return &t.Gomips, true
	case "goppc64":
		return &t.Goppc64, true
	case "goriscv64":
		return &t.Goriscv64, true
	}
	return nil, false
}

// buildAxis returns the build's list for a platform key.
func buildAxis(b *Build, k string) *[]string {
	return map[string]*[]string{
		"goos": &b.Goos, "goarch": &b.Goarch, "goarm": &b.Goarm, "goamd64": &b.Goamd64, "go386": &b.Go386,
		"goarm64": &b.Goarm64, "gomips": &b.Gomips, "goppc64": &b.Goppc64, "goriscv64": &b.Goriscv64,
	}[k]
}

func anyKeys(m map[string][]string) map[string]any {
	out := make(map[string]any, len(m))
	for k := range m {
		out[k] = nil
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func kind(v any) string {
	switch v.(type) {
	case []any:
		return "a list"
	case map[string]any, map[any]any:
		return "a mapping"
	case nil:
		return "nothing"
	}
	return "a scalar"
}
