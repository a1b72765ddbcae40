package errlist

import (
	"sync"

	"github.com/hashicorp/go-multierror"
	"golang.org/x/sync/errgroup"
)

// Group runs independent tasks, at most a limit at once, and collects
// every failure instead of stopping at the first. The zero Group has no
// limit.
type Group struct {
	g    errgroup.Group
	mu   sync.Mutex
	errs []error // each task's failure, in the order the tasks started
}

// SetLimit bounds the tasks that run at once, as errgroup.Group.SetLimit
// does (negative: no limit); call it before Go.
func (g *Group) SetLimit(n int) { g.g.SetLimit(n) }

// Go runs f in its own goroutine, waiting first while the limit's tasks
// run. A failure f returns as a *multierror.Error counts as each of its
// errors.
func (g *Group) Go(f func() error) {
	g.mu.Lock()
	i := len(g.errs)
	g.errs = append(g.errs, nil)
	g.mu.Unlock()
	g.g.Go(func() error {
		err := f()
		g.mu.Lock()
		g.errs[i] = err
		g.mu.Unlock()
		return nil
	})
}

// Wait waits for every task and returns their failures in the order the
// tasks started (a *multierror.Error), nil when none failed.
func (g *Group) Wait() error {
	_ = g.g.Wait()
	var errs *multierror.Error
	for _, err := range g.errs {
		if err != nil {
			errs = multierror.Append(errs, err)
		}
	}
	return errs.ErrorOrNil()
}
