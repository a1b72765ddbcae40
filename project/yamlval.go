package project

import (
	"fmt"
	"strconv"
	"strings"
)

// asMap returns a decoded YAML mapping with string keys.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[fmt.Sprint(k)] = v
		}
		return out, true
	}
	return nil, false
}

// listOf returns a decoded YAML sequence, or a scalar as a one-item list.
func listOf(v any) []any {
	switch l := v.(type) {
	case nil:
		return nil
	case []any:
		return l
	}
	return []any{v}
}

// scalar returns the text of a YAML scalar (strings, numbers, booleans as
// written: goarm: 7 is "7", skip: true is "true").
func scalar(v any) (string, bool) {
	switch s := v.(type) {
	case string:
		return s, true
	case int:
		return strconv.Itoa(s), true
	case int64:
		return strconv.FormatInt(s, 10), true
	case uint64:
		return strconv.FormatUint(s, 10), true
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(s), true
	case nil:
		return "", true
	}
	return "", false
}

func (r *reader) str(where string, v any) string {
	s, ok := scalar(v)
	if !ok {
		r.note(where, fmt.Sprintf("want a single value, found %s; ignored", kind(v)))
	}
	return s
}

func (r *reader) int(where string, v any) int {
	s, _ := scalar(v)
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		r.note(where, fmt.Sprintf("want a number, found %q; read as 0", s))
	}
	return n
}

// list reads a list of values, or one value; fields splits a single
// string on spaces, as GoReleaser does for flags and tags.
func (r *reader) list(where string, v any, fields bool) []string {
	if s, ok := v.(string); ok && fields {
		return strings.Fields(s)
	}
	var out []string
	for i, it := range listOf(v) {
		s, ok := scalar(it)
		if !ok {
			r.note(fmt.Sprintf("%s[%d]", where, i), fmt.Sprintf("want a single value, found %s; ignored", kind(it)))
			continue
		}
		out = append(out, s)
	}
	return out
}
