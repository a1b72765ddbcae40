package errlist

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
)

// TestGroup: every failure is collected, in the order the tasks started
// whatever the order they finish in, a task's multierror as its errors;
// no more than the limit run at once; none failing is nil.
func TestGroup(t *testing.T) {
	var g Group
	g.SetLimit(2)
	var running, most atomic.Int32
	for i := range 6 {
		g.Go(func() error {
			n := running.Add(1)
			defer running.Add(-1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Duration(6-i) * time.Millisecond) // the later tasks finish first
			switch i {
			case 1:
				return errors.New("one")
			case 4:
				return multierror.Append(nil, errors.New("four a"), errors.New("four b"))
			case 5:
				return fmt.Errorf("five")
			}
			return nil
		})
	}
	err := g.Wait()
	var me *multierror.Error
	if !errors.As(err, &me) {
		t.Fatalf("Wait = %v, want a *multierror.Error", err)
	}
	var got []string
	for _, e := range me.Errors {
		got = append(got, e.Error())
	}
	if want := []string{"one", "four a", "four b", "five"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Wait's failures = %q, want %q", got, want)
	}
	if n := most.Load(); n > 2 || n < 1 {
		t.Errorf("%d tasks ran at once, want at most the limit 2", n)
	}

	var ok Group
	for range 3 {
		ok.Go(func() error { return nil })
	}
	if err := ok.Wait(); err != nil {
		t.Errorf("Wait with no failure = %v, want nil", err)
	}
}
