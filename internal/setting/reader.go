package setting

import (
	"slices"
	"strconv"
	"strings"
)

// A Reader reads settings from the environment over their configured
// values and keeps one line per bad value (Errs), each naming the setting
// the user set and the accepted forms.
type Reader struct {
	// Getenv reads a variable ("" when it is unset).
	Getenv func(string) string
	// Errs are the messages refusing the bad values, in the order read.
	Errs []string
}

// Env is the variable's value without surrounding spaces.
func (r *Reader) Env(variable string) string { return strings.TrimSpace(r.Getenv(variable)) }

// Over is the variable's value when it is set, else the configured one,
// with the setting it came from: the variable or the field.
func (r *Reader) Over(variable, configured string, field Name) (string, Name) {
	if v := r.Env(variable); v != "" {
		return v, Name(variable)
	}
	return configured, field
}

// Count is the variable's whole number, def when it is unset. A value
// that is not a whole number >= 1 is refused, with what it counts when
// what is not "": KILN_JOBS="0": want a whole number >= 1.
func (r *Reader) Count(variable string, def int, what string) int {
	v := r.Env(variable)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		if what != "" {
			what = " (" + what + ")"
		}
		r.Check(false, Name(variable), v, "a whole number >= 1"+what)
		return def
	}
	return n
}

// Bool is the variable's boolean (the forms of strconv.ParseBool), def
// when it is unset; another value is refused: KILN_STATIC="x": want true
// or false.
func (r *Reader) Bool(variable string, def bool) bool {
	v := r.Env(variable)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	r.Check(err == nil, Name(variable), v, "true or false")
	return b
}

// OneOf is v, set in n, which must be one of forms, or def when v is "";
// another value is refused with want, the accepted forms as the message
// says them.
func (r *Reader) OneOf(n Name, v, def, want string, forms ...string) string {
	if v == "" {
		return def
	}
	r.Check(slices.Contains(forms, v), n, v, want)
	return v
}

// Check refuses v, set in n, unless ok: KILN_CGO="x": want auto, on or off.
// It returns ok.
func (r *Reader) Check(ok bool, n Name, v, want string) bool {
	if !ok {
		r.Errs = append(r.Errs, n.Is(v)+": want "+want)
	}
	return ok
}

// Add records err, a value another package refused, after what (the
// setting and its value) when what is not "": KILN_SHARD: shard "x": …
// A nil err records nothing.
func (r *Reader) Add(what string, err error) {
	switch {
	case err == nil:
	case what == "":
		r.Errs = append(r.Errs, err.Error())
	default:
		r.Errs = append(r.Errs, what+": "+err.Error())
	}
}
