package sbom

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// diff returns the first difference between the decoded JSON values got
// and want at path, or nil.
func diff(path string, got, want any) *MismatchError {
	at := func(p string) string {
		if p == "" {
			return "(document)"
		}
		return p
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return &MismatchError{Field: "content", Path: at(path), Got: show(got), Want: show(want)}
		}
		keys := slices.Sorted(maps.Keys(w))
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			gv, gok := g[k]
			wv, wok := w[k]
			switch {
			case !gok:
				return &MismatchError{Field: "content", Path: p, Want: show(wv)}
			case !wok:
				return &MismatchError{Field: "content", Path: p, Got: show(gv)}
			}
			if d := diff(p, gv, wv); d != nil {
				return d
			}
		}
		return nil
	case []any:
		g, ok := got.([]any)
		if !ok {
			return &MismatchError{Field: "content", Path: at(path), Got: show(got), Want: show(want)}
		}
		for i := 0; i < len(g) && i < len(w); i++ {
			if d := diff(path+"["+strconv.Itoa(i)+"]", g[i], w[i]); d != nil {
				return d
			}
		}
		if len(g) != len(w) {
			return &MismatchError{Field: "content", Path: at(path), Got: fmt.Sprintf("%d entries", len(g)), Want: fmt.Sprintf("%d entries", len(w))}
		}
		return nil
	}
	if got != want {
		return &MismatchError{Field: "content", Path: at(path), Got: show(got), Want: show(want)}
	}
	return nil
}

// show is v as JSON, cut to a readable length.
func show(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	const max = 120
	if s := string(data); len(s) > max {
		return s[:max] + "…"
	}
	return string(data)
}
