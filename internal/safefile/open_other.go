//go:build !linux

package safefile

import "os"

// pseudoFS reports no pseudo-filesystems outside Linux: the regular-file
// check is what applies there.
func pseudoFS(*os.File) string { return "" }
