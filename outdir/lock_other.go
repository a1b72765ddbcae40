//go:build !unix

package outdir

import (
	"context"

	"github.com/kiln-build/kiln/internal/safefile"
)

// lock is a no-op where flock is not available: one writer at a time is
// up to the user there.
func (d Dir) lock(ctx context.Context, r *safefile.Root) (func(), error) { return func() {}, nil }
