package safefile

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once openat2 answered ENOSYS (Linux before 5.6, or a
// seccomp filter that hides it): the component walk does the work then.
var noOpenat2 atomic.Bool

// openat2Dir opens the directory rel below fd in one system call that
// refuses every symbolic link (RESOLVE_NO_SYMLINKS) and any escape from fd
// (RESOLVE_BENEATH). Any failure sends the caller to the component walk,
// which gives the precise error.
func openat2Dir(fd int, rel string) (int, error) {
	if noOpenat2.Load() {
		return -1, unix.ENOSYS
	}
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH,
	}
	nfd, err := retry(func() (int, error) { return unix.Openat2(fd, rel, &how) })
	if err == unix.ENOSYS {
		noOpenat2.Store(true)
	}
	return nfd, err
}
