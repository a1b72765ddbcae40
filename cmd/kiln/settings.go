package main

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
	"github.com/kiln-build/kiln/release"
)

// rebuild is how to rebuild a release: the release settings and the go
// command's environment under which kiln's engine runs again exactly the
// go builds the provenance records (compareProvenance then checks that it
// did, argument for argument).
type rebuild struct {
	settings release.Settings
	// env are the recorded variables every build had, in their order: the
	// go command's environment has exactly these of its build variables.
	env       []string
	goVersion string
	// moduleDir is the module's directory in the repository (local,
	// slash-separated).
	moduleDir string
}

// build is one recorded go build, read.
type build struct {
	provenance.Build
	platform matrix.Platform
	// user are the environment entries before the ones the engine sets
	// (GOOS, GOARCH, the variant's, CGO_ENABLED, CC); cgo and cc are those.
	user    []string
	cgo     bool
	cc      string
	ldflags []string // -ldflags, split
	tags    string   // -tags ("" for none)
	main    string   // the main package argument
}

// rebuildSettings reads the settings that make kiln's engine run the
// provenance's builds again. A record that this kiln does not write, or
// one its settings cannot express, is refused with what it is, not
// guessed.
func rebuildSettings(prov *provenance.Release, project string) (*rebuild, error) {
	ext, in := prov.External, prov.Internal
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if ext.Version == "" || len(ext.Matrix) == 0 || len(ext.Binaries) == 0 || len(in.Builds) == 0 {
		bad("no version, matrix, binaries or builds recorded")
	}
	if in.GoVersion == "" || strings.Contains(in.GoVersion, ",") {
		bad("goVersion %q: want one Go toolchain", in.GoVersion)
	}
	if ext.Module == "" || ext.ModuleDir == "" || !filepath.IsLocal(filepath.FromSlash(ext.ModuleDir)) || path.Clean(ext.ModuleDir) != ext.ModuleDir {
		bad("module %q in directory %q: want the module path and its directory inside the repository (recorded since kiln records builds)", ext.Module, ext.ModuleDir)
	}
	rb := &rebuild{goVersion: in.GoVersion, moduleDir: ext.ModuleDir}
	s := &rb.settings
	s.Project, s.Static, s.CC = project, ext.Static, map[string]string{}
	s.Verify.NoRun = true    // the check compares bytes; running is verify's job
	s.Package.NoImage = true // its settings are not recorded: see compareRelease

	byBinary := map[string][]*build{}
	for i, pb := range in.Builds {
		b, err := readBuild(pb)
		if err != nil {
			bad("build %d (%s %s): %w", i+1, pb.Binary, pb.Platform, err)
			continue
		}
		byBinary[b.Binary] = append(byBinary[b.Binary], b)
	}
	var all []*build
	for _, eb := range ext.Binaries {
		builds := byBinary[eb.Name]
		delete(byBinary, eb.Name)
		if len(builds) == 0 {
			bad("binary %s: no build recorded", eb.Name)
			continue
		}
		// A mode, or a mode on some platforms ("off:darwin/amd64"), as
		// Binary.Cgo takes it.
		m, _, _ := strings.Cut(eb.CgoMode, ":")
		if mode := release.CgoMode(m); mode != gobuild.CgoAuto && mode != gobuild.CgoOn && mode != gobuild.CgoOff {
			bad("binary %s: cgo mode %q: want auto, on or off", eb.Name, eb.CgoMode)
		}
		s.Binaries = append(s.Binaries, release.Binary{Name: eb.Name, Main: builds[0].main, Tags: eb.Tags,
			Cgo: release.CgoMode(eb.CgoMode), Platforms: eb.Platforms})
		all = append(all, builds...)
	}
	for name := range byBinary {
		bad("a build of %s, which externalParameters.binaries does not list", name)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// The variables every build had are the go command's environment; the
	// rest of a build's are its binary's Env.
	rb.env = all[0].user
	for _, b := range all[1:] {
		n := 0
		for n < len(rb.env) && n < len(b.user) && rb.env[n] == b.user[n] {
			n++
		}
		rb.env = rb.env[:n]
	}
	var vars *release.StampVars
	for i := range s.Binaries {
		sb := &s.Binaries[i]
		var builds []*build
		for _, b := range all {
			if b.Binary == sb.Name {
				builds = append(builds, b)
			}
		}
		own := func(b *build) []string { return slices.Clip(b.user[len(rb.env):]) }
		sb.Env = own(builds[0])
		for j, b := range builds {
			v, ldflags, err := readLDFlags(b, prov)
			if err != nil {
				bad("build %s %s: %w", b.Binary, b.Platform, err)
				continue
			}
			if j == 0 {
				sb.LDFlags = ldflags
			}
			switch {
			case b.main != sb.Main:
				bad("binary %s: built as %s and as %s: one main package per binary", b.Binary, sb.Main, b.main)
			case !slices.Equal(own(b), sb.Env):
				bad("binary %s: the environment differs between its platforms (%q on %s): kiln sets one per binary", b.Binary, b.user, b.Platform)
			case !slices.Equal(ldflags, sb.LDFlags):
				bad("binary %s: its own -ldflags differ between its platforms (%q on %s): kiln sets them per binary", b.Binary, ldflags, b.Platform)
			case vars != nil && v != *vars:
				bad("build %s %s stamps %+v, another build %+v: kiln stamps one set of variables", b.Binary, b.Platform, v, *vars)
			}
			vars = &v
			if want := kilnTags(sb.Tags, s.Static || b.cgo && b.platform.OS == "linux"); b.tags != want {
				bad("build %s %s: -tags %q, but its binary's tags %q make %q", b.Binary, b.Platform, b.tags, sb.Tags, want)
			}
			if b.cc != "" {
				if have, ok := s.CC[b.Platform]; ok && have != b.cc {
					bad("platform %s: built with two C compilers (%s, %s): kiln sets one per platform", b.Platform, have, b.cc)
				}
				s.CC[b.Platform] = b.cc
			}
		}
		if imp, want := importPath(ext.Module, sb.Main), ext.Binaries[i].Main; imp != want {
			bad("binary %s: built from %s (%s), but externalParameters name %s", sb.Name, sb.Main, imp, want)
		}
	}
	if vars != nil {
		s.VersionVars = *vars
	}
	return rb, errors.Join(errs...)
}

// readBuild reads a recorded go build: its arguments (the ones kiln's
// engine passes, nothing else) and the environment entries the engine
// appends for the platform.
func readBuild(pb provenance.Build) (*build, error) {
	pl, err := matrix.Parse(pb.Platform)
	if err != nil {
		return nil, err
	}
	b := &build{Build: pb, platform: pl}
	args := pb.Args
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-trimpath" || strings.HasPrefix(a, "-buildvcs="):
			// the engine's own, compared after the rebuild
		case (a == "-ldflags" || a == "-tags") && i+1 < len(args)-1:
			i++
			if a == "-tags" {
				b.tags = args[i]
			} else if b.ldflags, err = project.SplitFlags(args[i]); err != nil {
				return nil, fmt.Errorf("-ldflags %q: %w", args[i], err)
			}
		case i == len(args)-1 && !strings.HasPrefix(a, "-"):
			b.main = a
		default:
			return nil, fmt.Errorf("go build argument %q is not one kiln's engine passes (-trimpath, -buildvcs, -ldflags, -tags, then the main package)", a)
		}
	}
	if b.main == "" {
		return nil, errors.New("no main package as the last argument")
	}
	// GOOS, GOARCH, the variant's variable, CGO_ENABLED and the C compiler
	// end the environment, in that order: the engine's.
	env := pb.Env
	if n := len(env); n >= 2 && env[n-2] == "CGO_ENABLED=1" && strings.HasPrefix(env[n-1], "CC=") {
		b.cc, env = strings.TrimPrefix(env[n-1], "CC="), env[:n-1]
	}
	want := []string{"GOOS=" + pl.OS, "GOARCH=" + pl.Arch}
	if v := pl.VariantEnv(); v != "" {
		want = append(want, v)
	}
	n := len(env)
	switch {
	case n > 0 && env[n-1] == "CGO_ENABLED=1":
		b.cgo = true
	case n > 0 && env[n-1] == "CGO_ENABLED=0" && b.cc == "":
	default:
		return nil, fmt.Errorf("env %q does not end with the CGO_ENABLED (and CC) kiln's engine sets", env)
	}
	env = env[:n-1]
	if len(env) < len(want) || !slices.Equal(env[len(env)-len(want):], want) {
		return nil, fmt.Errorf("env %q does not end with %q, which kiln's engine sets for %s", pb.Env, want, pl)
	}
	b.user = env[:len(env)-len(want)]
	for _, kv := range b.user {
		if k, _, ok := strings.Cut(kv, "="); !ok || !gobuild.BuildVar(k) {
			return nil, fmt.Errorf("env entry %q is not a build variable kiln records (GO*, CGO_*, CC, CXX)", kv)
		}
	}
	return b, nil
}

// readLDFlags reads a build's -ldflags as kiln's engine makes them:
// "-s -w", the -X of the version, commit and date variables (known by
// their values), the static link of a linux or windows cgo build, then
// the binary's own.
func readLDFlags(b *build, prov *provenance.Release) (release.StampVars, []string, error) {
	vars := release.StampVars{Version: "-", Commit: "-", Date: "-"}
	ld := b.ldflags
	if len(ld) < 2 || ld[0] != "-s" || ld[1] != "-w" {
		return vars, nil, fmt.Errorf("-ldflags %q do not start with kiln's -s -w", ld)
	}
	ld = ld[2:]
	for _, slot := range []struct {
		name  *string
		match func(string) bool
	}{
		{&vars.Version, func(v string) bool { return v == prov.External.Version }},
		{&vars.Commit, func(v string) bool { return v == prov.Source.Commit }},
		{&vars.Date, func(v string) bool { _, err := time.Parse(time.RFC3339, v); return err == nil }},
	} {
		if len(ld) < 2 || ld[0] != "-X" {
			continue
		}
		if name, value, ok := strings.Cut(ld[1], "="); ok && slot.match(value) {
			*slot.name, ld = name, ld[2:]
		}
	}
	static := []string{"-linkmode", "external", "-extldflags", "-static"}
	if b.cgo && (b.platform.OS == "linux" || b.platform.OS == "windows") {
		if len(ld) < len(static) || !slices.Equal(ld[:len(static)], static) {
			return vars, nil, fmt.Errorf("-ldflags %q: a cgo build for %s links with %q", b.ldflags, b.platform.OS, static)
		}
		ld = ld[len(static):]
	}
	return vars, slices.Clip(ld), nil
}

// kilnTags is the -tags value kiln's engine passes for a binary's tags:
// netgo and osusergo added for a static build.
func kilnTags(tags []string, static bool) string {
	out := slices.Clone(tags)
	if static {
		for _, t := range []string{"netgo", "osusergo"} {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return strings.Join(out, ",")
}

// importPath is the import path of a main package argument of go build in
// the module's root.
func importPath(module, main string) string {
	if main != "." && !strings.HasPrefix(main, "./") {
		return main
	}
	if rel := path.Clean(main); rel != "." {
		return module + "/" + rel
	}
	return module
}
