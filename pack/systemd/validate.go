package systemd

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashicorp/go-multierror"
)

// FieldError reports a Unit field whose value cannot be written into a
// unit file.
type FieldError struct {
	Field  string // the Unit field, e.g. "ExecStart" or "Environment[PORT]"
	Value  string
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("systemd unit: %s %q: %s", e.Field, e.Value, e.Reason)
}

var (
	nameRE    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.:-]*$`)
	userRE    = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)
	envKeyRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	keyRE     = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	capRE     = regexp.MustCompile(`^CAP_[A-Z0-9_]+$`)
	familyRE  = regexp.MustCompile(`^AF_[A-Z0-9]+$`)
	stateRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)
	pathRE    = regexp.MustCompile(`^[-+]?/[^\s"'\\]*$`)
	docScheme = []string{"http://", "https://", "file:", "info:", "man:"}
	restarts  = []string{"no", "always", "on-success", "on-failure", "on-abnormal", "on-abort", "on-watchdog"}
)

// validate reports every problem of u at once.
func (u Unit) validate() error {
	var errs *multierror.Error
	bad := func(field, value, reason string) {
		errs = multierror.Append(errs, &FieldError{Field: field, Value: value, Reason: reason})
	}
	// word checks a value that Render quotes: one line of valid UTF-8.
	word := func(field, value string) bool {
		switch {
		case !utf8.ValidString(value):
			bad(field, value, "not valid UTF-8")
		case strings.ContainsFunc(value, unicode.IsControl):
			bad(field, value, "contains a newline or another control character")
		default:
			return true
		}
		return false
	}
	// text checks a value written unquoted: a word that does not end in a
	// backslash (which would join the next line).
	text := func(field, value string) bool {
		if !word(field, value) {
			return false
		}
		if strings.HasSuffix(value, `\`) {
			bad(field, value, "ends in a backslash, which continues the line in a unit file")
			return false
		}
		return true
	}

	switch {
	case u.Name == "":
		bad("Name", u.Name, "empty; set the service name, e.g. the program's name")
	case len(u.Name) > 200 || !nameRE.MatchString(u.Name):
		bad("Name", u.Name, "not a unit name: use letters, digits and _ . : - (no .service suffix, no templates)")
	}
	text("Description", u.Description)
	if text("Documentation", u.Documentation) {
		for _, uri := range strings.Fields(u.Documentation) {
			if !hasAnyPrefix(uri, docScheme) {
				bad("Documentation", uri, "not a URI systemd accepts (http://, https://, file:, info:, man:)")
			}
		}
	}

	switch {
	case u.ExecStart == "":
		bad("ExecStart", u.ExecStart, "empty; set the absolute path of the installed program, e.g. /usr/bin/NAME")
	case !strings.HasPrefix(u.ExecStart, "/"):
		bad("ExecStart", u.ExecStart, "not an absolute path; systemd needs e.g. /usr/bin/NAME")
	default:
		word("ExecStart", u.ExecStart)
	}
	for i, a := range u.Args {
		word(fmt.Sprintf("Args[%d]", i), a)
	}
	for _, k := range sortedKeys(u.Environment) {
		if !envKeyRE.MatchString(k) {
			bad("Environment", k, "not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)")
		}
		word("Environment["+k+"]", u.Environment[k])
	}
	if u.User != "" && (len(u.User) > 31 || !userRE.MatchString(u.User)) {
		bad("User", u.User, "not a user name")
	}
	if u.Restart != "" && !contains(restarts, u.Restart) {
		bad("Restart", u.Restart, "want one of "+strings.Join(restarts, ", "))
	}

	if len(u.AddressFamilies) != 1 || u.AddressFamilies[0] != "none" {
		for _, f := range u.AddressFamilies {
			if !familyRE.MatchString(f) {
				bad("AddressFamilies", f, `not an address family (AF_INET, AF_UNIX, …) or "none" alone`)
			}
		}
	}
	for _, p := range u.ReadWritePaths {
		if !pathRE.MatchString(p) || strings.ContainsFunc(p, unicode.IsControl) {
			bad("ReadWritePaths", p, `want an absolute path, optionally prefixed with "-", without spaces, quotes or backslashes`)
		}
	}
	if u.StateDirectory != "" && (!stateRE.MatchString(u.StateDirectory) || hasDotDot(u.StateDirectory)) {
		bad("StateDirectory", u.StateDirectory, "want a relative path below /var/lib, e.g. the service name")
	}
	for _, c := range u.Capabilities {
		if !capRE.MatchString(c) {
			bad("Capabilities", c, "not a capability name (CAP_NET_BIND_SERVICE, …)")
		}
	}
	for _, f := range u.SystemCallFilter {
		if text("SystemCallFilter", f) && strings.TrimSpace(f) == "" {
			bad("SystemCallFilter", f, "empty entry (it would reset the default filter)")
		}
	}
	for _, kv := range u.Extra {
		switch k := kv[0]; {
		case !keyRE.MatchString(k):
			bad("Extra", k, "not a unit setting name")
		case owned[k] != "":
			bad("Extra", k, "set through the Unit field "+owned[k]+" instead")
		}
		text("Extra["+kv[0]+"]", kv[1])
	}
	return errs.ErrorOrNil()
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasDotDot(p string) bool {
	for _, e := range strings.Split(p, "/") {
		if e == "." || e == ".." {
			return true
		}
	}
	return false
}
