//go:build !unix

package safefile

// openFlags is 0 where O_NONBLOCK is not portable; the stat before the open
// already refuses FIFOs and devices.
const openFlags = 0
