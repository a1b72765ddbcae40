package gobuild

import "github.com/kiln-build/kiln/artifact"

// Writes are the files the engine writes by path for s: its output and
// the output's stamp (StampPath). A caller that guards the output's
// directory checks them before the build.
func (s Spec) Writes() []string { return []string{s.Out, StampPath(s.Out)} }

// EntryFacts are what a binary's manifest entry records that the engine
// does not decide: the main package's import path, how the program learns
// its version ("-X main.Version", "build info", "none: <why>") and the
// cgo decision with who made it ("auto", "off (KILN_CGO)").
type EntryFacts struct {
	Main, Stamped, CgoDecision string
}

// Entry is the manifest entry of a successful build whose output is at
// path in the output directory (slash-separated, relative): the
// artifact.Binary of its name and platform with the output's size and
// sha256, the version and commit stamped, the build's key, how it was
// linked (cgo, the C compiler, static), its tags, the arguments and
// environment the engine ran, the packages whose cgo files it left out,
// whether Go's VCS stamping was on, and facts.
func (r Result) Entry(path string, facts EntryFacts) artifact.Artifact {
	s, pl := r.Spec, r.Spec.Platform
	return artifact.Artifact{Path: path, Kind: artifact.Binary, Name: s.Name,
		OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant, Size: r.Size, SHA256: r.SHA256,
		Main: facts.Main, Version: s.Stamp.Version, Commit: s.Stamp.Commit, Key: r.Key,
		Cgo: r.Cgo, CC: r.CC, Static: r.Static, Tags: r.Tags, Args: r.Args, Env: r.Env, CgoLeftOut: r.CgoLeftOut,
		Stamped: facts.Stamped, VCS: s.VCS != nil, CgoDecision: facts.CgoDecision}
}
