//go:build unix

package outdir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/kiln-build/kiln/internal/safefile"
)

// LockError reports an output directory another run is writing.
type LockError struct {
	Path   string
	Holder string // what the holder wrote: pid, command, start time
}

func (e *LockError) Error() string {
	return fmt.Sprintf("output directory %s is in use by another kiln run (%s); wait for it, or unset KILN_LOCK=fail to wait automatically", e.Path, e.Holder)
}

// lock takes the output directory's lock (flock on LockName in r): one
// writer at a time. The lock file is opened through r: a link, a FIFO or
// a device in its place is refused. A busy lock is waited for, saying who
// holds it, or fails at once without Wait. The lock ends with the process,
// so a killed run never leaves it behind.
func (d Dir) lock(ctx context.Context, r *safefile.Root) (func(), error) {
	f, err := r.OpenFile(LockName, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock output directory: %w", err)
	}
	fd := int(f.Fd())
	told := false
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock output directory: %w", err)
		}
		holder, _ := io.ReadAll(io.LimitReader(f, 512))
		f.Seek(0, io.SeekStart)
		h := strings.TrimSpace(string(holder))
		if !d.Wait {
			f.Close()
			return nil, &LockError{Path: d.Path, Holder: h}
		}
		if !told {
			d.logf("waiting for another kiln run to finish with %s (%s)\n", d.Path, h)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d, %s, since %s\n", os.Getpid(), strings.Join(os.Args, " "), time.Now().Format(time.RFC3339))
	return func() { f.Close() }, nil
}
