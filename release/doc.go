// Package release is kiln's release plan: it turns Settings (Go code) and
// the KILN_* environment into a resolved Plan (the project's facts, its
// binaries and platforms, the dist/ layout) and runs the stages from it, as
// the mage targets in package targets do:
//
//	s := release.Settings{Binaries: []release.Binary{{Main: "./cmd/tool"}, {Main: "./cmd/toold"}}}
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
// Each stage checks the manifest (dist/artifacts.json) as a claim before it
// acts on it, and writes only into an output directory kiln created, under
// its lock: Package ships exactly the plan's verified binaries, or nothing.
package release
