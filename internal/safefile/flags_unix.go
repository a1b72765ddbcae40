//go:build unix

package safefile

import "syscall"

// openFlags keeps an open of a FIFO from waiting for the other end.
const openFlags = syscall.O_NONBLOCK
