//go:build unix

package safefile

import (
	"os"
	"syscall"
)

// openNonblock opens name without blocking on a FIFO that has no writer.
func openNonblock(name string) (*os.File, error) {
	return os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
