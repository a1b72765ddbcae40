// Package setting reads kiln's settings from the environment over their
// configured values and refuses a bad one naming the setting as the user
// set it, with its value and the accepted forms.
package setting

import (
	"fmt"
	"strings"
)

// A Name says where a value came from as the user set it: an environment
// variable ("KILN_NAME"), a field of the configuration ("Config.Name"), or
// either of the two ("KILN_WINE/Config.Verify.Windows").
type Name string

// Is is the setting with its value, as a message names it:
// KILN_NAME="a/b", Config.Name "a/b" or KILN_WINE/Config.Verify.Windows "x".
func (n Name) Is(value string) string {
	if strings.Contains(string(n), "Config.") {
		return fmt.Sprintf("%s %q", n, value)
	}
	return fmt.Sprintf("%s=%q", n, value)
}
