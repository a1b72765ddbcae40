package binaries

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
)

// stamp decides how a binary's program learns its version: the variables
// -X sets — Settings.VersionVars wins; else the ones package project finds
// by type, unless the release config's ldflags set them — and Go's own
// build info, which VCS stamping fills from a clean checkout, as read for
// the binary's planned platforms. It sets Stamp and Stamped.
func (r *resolver) stamp(bn *Bin, rows []project.BuildFlags, platforms []matrix.Platform) {
	var fileX []string
	for _, row := range rows {
		for _, v := range xVars(row.LDFlags) {
			if !slices.Contains(fileX, v) {
				fileX = append(fileX, v)
			}
		}
	}
	var id project.Identity
	var idErr error
	if len(platforms) > 0 {
		first := bn.Builds[platforms[0]]
		o := project.Options{Platforms: platforms, Tags: first.Tags, Cgo: first.Cgo != gobuild.CgoOff}
		if id, idErr = r.identity(bn.Main, o); idErr != nil {
			r.note(fmt.Sprintf("%s: %v; kiln stamps no variable it did not find", bn.Name, idErr))
		}
	}
	ambiguous := false
	for _, n := range id.Notes {
		r.note(n.String())
		ambiguous = ambiguous || strings.Contains(n.Text, "ambiguous")
	}
	conf := r.in.StampVars
	pick := func(configured, found string) string {
		switch {
		case configured != "":
			return configured
		case found != "" && !slices.Contains(fileX, found):
			return found
		}
		return "-"
	}
	bn.Stamp = gobuild.StampVars{Version: pick(conf.Version, id.Vars.Version), Commit: pick(conf.Commit, id.Vars.Commit), Date: pick(conf.Date, id.Vars.Date)}

	xs := stampedVars(bn.Stamp)
	var nowhere []string // the release config's -X of main.X the main package does not declare
	for _, v := range fileX {
		switch {
		case slices.Contains(xs, v):
		case idErr == nil && len(platforms) > 0 && strings.HasPrefix(v, "main.") && !slices.Contains(id.MainVars, v):
			nowhere = append(nowhere, v)
		default:
			xs = append(xs, v)
		}
	}
	if len(nowhere) > 0 {
		r.note(fmt.Sprintf("%s: the release config's ldflags set -X %s, but the main package %s declares no string variable of that name: it reaches nothing",
			bn.Name, strings.Join(nowhere, " "), bn.Main))
	}
	var parts []string
	if len(xs) > 0 {
		parts = append(parts, "-X "+strings.Join(xs, " "))
	}
	if id.ReadsBuildInfo && r.in.NoVCS == "" {
		parts = append(parts, "build info")
	}
	switch {
	case len(parts) > 0:
		bn.Stamped = strings.Join(parts, " + ")
	case id.ReadsBuildInfo:
		bn.Stamped = "none: reads its version from the build info, but Go's VCS stamping is off: " + r.in.NoVCS
	case ambiguous:
		bn.Stamped = "none: the version variable is ambiguous (see the note)"
	case idErr != nil:
		bn.Stamped = "none: " + idErr.Error()
	default:
		bn.Stamped = "none: no string variable for the version, and no read of the build info"
	}
}

// xVars returns the variables linker arguments set with -X, in order.
func xVars(ld []string) []string {
	var vs []string
	for i := 0; i < len(ld); i++ {
		val, ok := "", false
		switch a := ld[i]; {
		case (a == "-X" || a == "--X") && i+1 < len(ld):
			i++
			val, ok = ld[i], true
		case strings.HasPrefix(a, "-X="), strings.HasPrefix(a, "--X="):
			_, val, ok = strings.Cut(a, "=")
		}
		if v, _, _ := strings.Cut(val, "="); ok && v != "" {
			vs = append(vs, v)
		}
	}
	return vs
}
