package release

import (
	"context"
	"fmt"

	"github.com/kiln-build/kiln/outdir"
)

// OutDir is the plan's output directory.
func (p *Plan) OutDir() outdir.Dir {
	return outdir.Dir{Path: p.Out, Module: p.Dir, Wait: p.LockWait, Log: p.rep.Printf}
}

// Clean removes the output directory that settings and the environment
// (KILN_OUT) name, when kiln created it (see outdir.Dir.Clean). It needs
// no main package, git or toolchain.
func Clean(ctx context.Context, s Settings, opts ...Option) error {
	o := newOptions(opts)
	dir, err := o.moduleDir()
	if err != nil {
		return err
	}
	d, err := outdir.Resolve(dir, s.Out, o.getenv)
	if err != nil {
		return err
	}
	d.Log = func(format string, args ...any) { fmt.Fprintf(o.w, format, args...) }
	return d.Clean(ctx)
}
