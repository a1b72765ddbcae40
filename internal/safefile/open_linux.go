package safefile

import (
	"os"
	"syscall"
)

// pseudoFilesystems are the statfs magic numbers of Linux filesystems whose
// files are views of the kernel, not stored bytes (linux/magic.h).
var pseudoFilesystems = map[uint32]string{
	0x9fa0:     "proc",
	0x62656572: "sysfs",
	0x64626720: "debugfs",
	0x74726163: "tracefs",
	0x73636673: "securityfs",
	0x27e0eb:   "cgroup",
	0x63677270: "cgroup2",
	0xcafe4a11: "bpf",
	0x62656570: "configfs",
	0xde5e81e4: "efivarfs",
	0x6165676c: "pstore",
	0x65735543: "fusectl",
}

// pseudoFS names the kernel pseudo-filesystem f is on, or returns "".
func pseudoFS(f *os.File) string {
	// SyscallConn, not Fd: Fd would switch the file to blocking mode.
	rc, err := f.SyscallConn()
	if err != nil {
		return ""
	}
	var st syscall.Statfs_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstatfs(int(fd), &st) }); err != nil || serr != nil {
		return ""
	}
	// Type is int64 on most arches, int32 or uint32 on others.
	return pseudoFilesystems[uint32(st.Type)]
}
