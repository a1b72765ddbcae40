package binaries

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
)

// The release config's builds (.goreleaser.yml) are each binary's
// defaults: its name, platforms, tags, env, flags, ldflags and cgo
// statement. What the Go configuration sets wins; a field kiln does not
// use is a note, never a failure.

// ReleaseProject is the release config's project name when it is a
// plain one ("" otherwise).
func ReleaseProject(m *project.Module) string {
	if m.Release == nil || strings.Contains(m.Release.ProjectName, "{{") || CheckName(m.Release.ProjectName) != nil {
		return ""
	}
	return m.Release.ProjectName
}

// rowsFor returns the release config's rows for the main package imp: those
// of the binary named name when there are, else all of them, the first per
// platform.
func (r *resolver) rowsFor(imp, name string) []project.BuildFlags {
	var mine []project.BuildFlags
	for _, row := range r.rows {
		if ri, err := importPath(r.mod.Path, row.Main); err == nil && ri == imp {
			mine = append(mine, row)
		}
	}
	if name != "" && slices.ContainsFunc(mine, func(row project.BuildFlags) bool { return row.Program == name }) {
		mine = slices.DeleteFunc(mine, func(row project.BuildFlags) bool { return row.Program != name })
	}
	var out []project.BuildFlags
	for _, row := range mine {
		if rowFor(out, row.Platform) == nil {
			out = append(out, row)
		}
	}
	return out
}

// rowFor returns the row of platform pl, nil when there is none.
func rowFor(rows []project.BuildFlags, pl matrix.Platform) *project.BuildFlags {
	for i := range rows {
		if rows[i].Platform == pl {
			return &rows[i]
		}
	}
	return nil
}

// build merges the Go configuration of a binary with the release
// config's row for one platform (nil: none). LDFlags are merged later,
// once the stamp is known.
func (r *resolver) build(b Binary, bn Bin, row *project.BuildFlags, cgo cgoChoice) BinBuild {
	bb := BinBuild{Tags: slices.Clone(bn.Tags), Env: slices.Clone(bn.Env), Cgo: cgo.mode, CgoBy: cgo.by}
	if row == nil {
		return bb
	}
	where := r.mod.Release.File + " builds[" + fmt.Sprint(row.Build) + "]"
	if len(b.Tags) == 0 {
		for _, t := range row.Tags {
			if !slices.Contains(bb.Tags, t) {
				bb.Tags = append(bb.Tags, t)
			}
		}
	}
	if len(b.Env) == 0 {
		for _, kv := range row.Env {
			if k, _, _ := strings.Cut(kv, "="); !engineVars[k] {
				bb.Env = append(bb.Env, kv)
			}
		}
	}
	for _, f := range row.Flags {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch {
		case slices.Contains(keptFlags, name):
			bb.Flags = append(bb.Flags, f)
		case name != "trimpath": // kiln's own
			r.note(fmt.Sprintf("%s: flags %q: kiln leaves it out (it sets -o, -trimpath and -buildvcs itself; it keeps -%s)", where, f, strings.Join(keptFlags, ", -")))
		}
	}
	if cgo.by == "" && row.Cgo != "" {
		switch row.Cgo {
		case "0":
			bb.Cgo, bb.CgoBy = gobuild.CgoOff, where+" env CGO_ENABLED=0"
		case "1":
			bb.Cgo, bb.CgoBy = gobuild.CgoOn, where+" env CGO_ENABLED=1"
		default:
			r.note(fmt.Sprintf("%s: env CGO_ENABLED=%s: want 0 or 1; kiln decides cgo itself (auto)", where, row.Cgo))
		}
	}
	return bb
}

// keptFlags are the go build flags of a release config kiln passes on.
var keptFlags = []string{"gcflags", "asmflags", "buildmode", "mod", "pgo", "race", "msan", "asan"}

// engineVars are the variables the build engine sets itself; a release
// config's env does not pass them (CGO_ENABLED becomes the cgo decision).
var engineVars = map[string]bool{"GOOS": true, "GOARCH": true, "CGO_ENABLED": true, "GOARM": true, "GOAMD64": true,
	"GOARM64": true, "GO386": true, "GOMIPS": true, "GOMIPS64": true, "GOPPC64": true, "GORISCV64": true, "GOWASM": true}

// cgoChoice is a cgo decision and who made it ("" : nobody: auto, unless
// the release config states one).
type cgoChoice struct {
	mode gobuild.CgoMode
	by   string
}

// binaryCgo returns the Go configuration's cgo decision per platform: the
// binary's Cgo ("off", or "off:darwin/*" on the platforms a selector
// names), else Config.Cgo or KILN_CGO, else none.
func (r *resolver) binaryCgo(name, cgo string) (func(matrix.Platform) cgoChoice, error) {
	def := cgoChoice{mode: r.in.Cgo, by: r.in.CgoBy}
	if def.mode == "" {
		def.mode = gobuild.CgoAuto
	}
	if strings.TrimSpace(cgo) == "" {
		return func(matrix.Platform) cgoChoice { return def }, nil
	}
	mode, sel, hasSel := strings.Cut(cgo, ":")
	mode = strings.TrimSpace(mode)
	own := cgoChoice{mode: gobuild.CgoMode(mode), by: fmt.Sprintf("Config.Binaries (%s) Cgo %q", name, cgo)}
	if !own.mode.Valid() {
		return func(matrix.Platform) cgoChoice { return def }, fmt.Errorf("binary %s: Cgo %q: want auto, on or off, optionally followed by :<platform selector> (\"off:darwin/*\")", name, cgo)
	}
	if !hasSel {
		return func(matrix.Platform) cgoChoice { return own }, nil
	}
	named, err := r.selectPlanned(sel)
	if err != nil {
		return func(matrix.Platform) cgoChoice { return def }, fmt.Errorf("binary %s: Cgo %q: %v", name, cgo, err)
	}
	return func(pl matrix.Platform) cgoChoice {
		if slices.Contains(named, pl) {
			return own
		}
		return def
	}, nil
}

// mergeLDFlags merges a binary's Go-configured linker flags with the
// release config's row (project.MergeLDFlags: kiln's win, nothing
// twice), leaving out the -s -w and the -X of the stamp, which the engine
// adds itself.
func mergeLDFlags(st gobuild.StampVars, own []string, row *project.BuildFlags) []string {
	if row == nil || len(row.LDFlags) == 0 {
		return slices.Clone(own)
	}
	const mark = "\x00kiln-stamp"
	kiln := []string{"-s", "-w"}
	for _, v := range stampedVars(st) {
		kiln = append(kiln, "-X", v+"="+mark)
	}
	merged := project.MergeLDFlags(append(kiln, own...), row.LDFlags)
	out := make([]string, 0, len(merged))
	for i := 0; i < len(merged); i++ {
		switch a := merged[i]; {
		case a == "-s" || a == "-w":
		case a == "-X" && i+1 < len(merged) && strings.HasSuffix(merged[i+1], "="+mark):
			i++
		default:
			out = append(out, a)
		}
	}
	return out
}

// stampedVars are the variables a stamp sets.
func stampedVars(st gobuild.StampVars) []string {
	var vs []string
	for _, v := range []string{st.Version, st.Commit, st.Date} {
		if v != "" && v != "-" {
			vs = append(vs, v)
		}
	}
	return vs
}
