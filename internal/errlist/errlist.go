// Package errlist collects and formats independent failures: tasks run
// under a limit with every failure kept (Group), a bulleted list under a
// heading, or one line joined by "; ".
package errlist

import (
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Listed formats independent failures as a bulleted list under a heading:
// "head: 2 problem(s):\n  * a\n  * b"; a failure's further lines are
// indented under its bullet.
func Listed(head string, es []error) string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = "  * " + strings.ReplaceAll(e.Error(), "\n", "\n    ")
	}
	return fmt.Sprintf("%s: %d problem(s):\n%s", head, len(es), strings.Join(lines, "\n"))
}

// Flat formats a multierror on one line per problem, joined by "; ";
// nil for none.
func Flat(errs *multierror.Error) error {
	if errs == nil {
		return nil
	}
	errs.ErrorFormat = func(es []error) string {
		s := make([]string, len(es))
		for i, e := range es {
			s[i] = e.Error()
		}
		return strings.Join(s, "; ")
	}
	return errs.ErrorOrNil()
}
