// Package setting names a setting as the user set it, with its value, for
// the messages that refuse it.
package setting

import (
	"fmt"
	"strings"
)

// A Name says where a value came from as the user set it: an environment
// variable ("KILN_NAME") or a field of the configuration ("Config.Name").
type Name string

// Is is the setting with its value, as a message names it:
// KILN_NAME="a/b" or Config.Name "a/b".
func (n Name) Is(value string) string {
	if strings.HasPrefix(string(n), "Config.") {
		return fmt.Sprintf("%s %q", n, value)
	}
	return fmt.Sprintf("%s=%q", n, value)
}
