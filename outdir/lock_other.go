//go:build !unix

package outdir

import "context"

// Lock is a no-op where flock is not available: one writer at a time is
// up to the user there.
func (d Dir) Lock(ctx context.Context) (func(), error) { return func() {}, nil }
