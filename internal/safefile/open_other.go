//go:build !linux

package safefile

import "os"

// openFlags is 0 where O_NONBLOCK is not portable; the stat before the open
// already refuses FIFOs and devices.
const openFlags = 0

// pseudoFS reports no pseudo-filesystems outside Linux: the regular-file
// check is what applies there.
func pseudoFS(*os.File) string { return "" }
