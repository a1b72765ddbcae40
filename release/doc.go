// Package release is kiln's release plan: it turns Settings (Go code) and
// the KILN_* environment into a resolved Plan — the project's facts, its
// binaries and platforms, the dist/ layout and the name of every artifact —
// and runs the stages from it. The mage targets in package targets are a
// thin face over it; a plain Go program runs the same stages:
//
//	s := release.Settings{
//		Binaries: []release.Binary{{Main: "./cmd/tool"}, {Main: "./cmd/toold"}},
//		Matrix:   "linux/*,darwin/arm64",
//	}
//	p, err := release.Resolve(ctx, s) // or release.Resolve(ctx, s, release.WithDir(dir))
//	if err != nil {
//		return err
//	}
//	if err := p.Build(ctx); err != nil { // build → dist/artifacts.json
//		return err
//	}
//	if err := p.Verify(ctx); err != nil { // inspect and run every binary, record the result
//		return err
//	}
//	return p.Package(ctx) // archives, checksums, packages, image
//
// The manifest (dist/artifacts.json) passes between the stages and is a
// claim that every stage checks before acting on it: paths must stay inside
// the output directory after symlinks are resolved and name regular files
// with the recorded sha256; Package ships exactly the plan's binaries at
// its version and commit, each verified and confirmed from its build info,
// or refuses with the target that fixes it and writes nothing. Runs that
// write one output directory take a lock on it, and kiln writes into and
// deletes only directories it created.
package release
