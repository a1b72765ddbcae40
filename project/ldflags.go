package project

import (
	"fmt"
	"slices"
	"strings"
)

// SplitFlags splits a flag string as the go command splits -ldflags:
// fields separated by spaces, a field may be wrapped in single or double
// quotes (no escapes inside).
func SplitFlags(s string) ([]string, error) {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t\n\r")
		if s == "" {
			return out, nil
		}
		if q := s[0]; q == '\'' || q == '"' {
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				return out, fmt.Errorf("unterminated %c string", q)
			}
			out = append(out, s[1:1+end])
			s = s[2+end:]
			if s != "" && !strings.ContainsRune(" \t\n\r", rune(s[0])) {
				return out, fmt.Errorf("quoted string not followed by a space")
			}
			continue
		}
		end := strings.IndexAny(s, " \t\n\r")
		if end < 0 {
			end = len(s)
		}
		out = append(out, s[:end])
		s = s[end:]
	}
}

// JoinFlags is the inverse of SplitFlags: it quotes the fields that need
// it, for a single -ldflags argument.
func JoinFlags(args []string) (string, error) {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case a == "" || strings.ContainsAny(a, " \t\n\r'\""):
			q := byte('\'')
			if strings.ContainsRune(a, '\'') {
				q = '"'
			}
			if strings.ContainsRune(a, rune(q)) {
				return "", fmt.Errorf("flag %q holds both kinds of quotes: the go command cannot take it", a)
			}
			b.WriteByte(q)
			b.WriteString(a)
			b.WriteByte(q)
		default:
			b.WriteString(a)
		}
	}
	return b.String(), nil
}

// linkerValueFlags are the linker flags that take a value (go tool link
// -help); all others are booleans.
var linkerValueFlags = []string{"B", "E", "H", "I", "L", "R", "T", "X", "benchmark", "benchmarkprofile", "buildid",
	"buildmode", "capturehostobjs", "checklinkname", "cpuprofile", "debugnosplit", "debugtextsize", "extar", "extld",
	"extldflags", "fipso", "importcfg", "installsuffix", "k", "libgcc", "linkmode", "memprofile", "memprofilerate",
	"o", "pluginpath", "r", "randlayout", "strictdups", "tmpdir"}

// ldItem is one linker flag with its arguments, and the key that says
// which other items it replaces ("X:main.version", "s", "extldflags").
type ldItem struct {
	key  string
	args []string
}

func ldItems(args []string) []ldItem {
	var items []ldItem
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name == "" {
			items = append(items, ldItem{"", []string{a}})
			continue
		}
		it := ldItem{key: name, args: []string{a}}
		if slices.Contains(linkerValueFlags, name) && !hasVal && i+1 < len(args) {
			i++
			val = args[i]
			it.args = append(it.args, val)
		}
		if name == "X" {
			v, _, _ := strings.Cut(val, "=")
			it.key = "X:" + v
		}
		items = append(items, it)
	}
	return items
}

// MergeLDFlags merges linker arguments: kiln's own (-s -w, its -X) first,
// then the file's that set anything kiln does not; a flag set twice on
// one side keeps its last value at its first place. Nothing is repeated:
// -s -w twice become once, and a -X of the same variable is kiln's.
func MergeLDFlags(kiln, file []string) []string {
	var order []string
	set := map[string][]string{}
	var out [][]string
	add := func(items []ldItem, override bool) {
		for _, it := range items {
			if it.key == "" {
				out = append(out, it.args)
				order = append(order, "")
				continue
			}
			if _, ok := set[it.key]; ok {
				if override {
					set[it.key] = it.args
				}
				continue
			}
			set[it.key] = it.args
			order = append(order, it.key)
			out = append(out, nil)
		}
	}
	add(ldItems(kiln), true)
	mark := len(order)
	fileItems := ldItems(file)
	add(fileItems, false)
	// the file's own repeats: last value wins among the file's items
	for _, it := range fileItems {
		if idx := slices.Index(order, it.key); it.key != "" && idx >= mark {
			set[it.key] = it.args
		}
	}
	var res []string
	for i, k := range order {
		if k == "" {
			res = append(res, out[i]...)
			continue
		}
		res = append(res, set[k]...)
	}
	return res
}
