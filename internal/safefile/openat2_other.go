//go:build darwin || freebsd || openbsd || netbsd || dragonfly || solaris

package safefile

import "golang.org/x/sys/unix"

// openat2Dir is Linux's: elsewhere the component walk opens directories.
func openat2Dir(int, string) (int, error) { return -1, unix.ENOSYS }
