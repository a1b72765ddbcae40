package matrix

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Info is one platform of the universe with the toolchain's facts about it.
type Info struct {
	Platform
	CgoSupported bool
	FirstClass   bool
}

// Universe is the set of os/arch pairs the active Go toolchain can build.
// This package does not run go: the build engine runs
// `go tool dist list -json` and parses its output with ParseDistList.
type Universe struct {
	infos []Info
	index map[string]Info
}

// NewUniverse makes a Universe from a list of platforms (variants ignored).
func NewUniverse(infos []Info) *Universe {
	u := &Universe{index: make(map[string]Info, len(infos))}
	for _, in := range infos {
		in.Variant = ""
		if _, dup := u.index[in.String()]; dup {
			continue
		}
		u.index[in.String()] = in
		u.infos = append(u.infos, in)
	}
	sort.Slice(u.infos, func(i, j int) bool { return u.infos[i].Less(u.infos[j].Platform) })
	return u
}

// ParseDistList parses the output of `go tool dist list -json`.
func ParseDistList(data []byte) (*Universe, error) {
	var raw []struct {
		GOOS, GOARCH string
		CgoSupported bool
		FirstClass   bool
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("parse go tool dist list output: %w", err)
	}
	infos := make([]Info, 0, len(raw))
	for _, r := range raw {
		infos = append(infos, Info{Platform: Platform{OS: r.GOOS, Arch: r.GOARCH}, CgoSupported: r.CgoSupported, FirstClass: r.FirstClass})
	}
	if len(infos) == 0 {
		return nil, fmt.Errorf("go tool dist list listed no platforms")
	}
	return NewUniverse(infos), nil
}

// All returns every os/arch of the universe, sorted.
func (u *Universe) All() []Info { return append([]Info(nil), u.infos...) }

// Info returns the facts about p's os/arch.
func (u *Universe) Info(p Platform) (Info, bool) {
	in, ok := u.index[p.OS+"/"+p.Arch]
	return in, ok
}

// UnknownError reports a platform the toolchain does not support.
type UnknownError struct {
	Input   string
	Closest []string
}

func (e *UnknownError) Error() string {
	msg := fmt.Sprintf("unknown platform %q", e.Input)
	if len(e.Closest) > 0 {
		msg += "; did you mean " + strings.Join(e.Closest, ", ") + "?"
	}
	return msg + " (`go tool dist list` shows every supported os/arch)"
}

// Lookup checks that p's os/arch is supported; an unknown one gives an
// *UnknownError naming the closest valid platforms.
func (u *Universe) Lookup(p Platform) error {
	if _, ok := u.index[p.OS+"/"+p.Arch]; ok {
		return nil
	}
	return &UnknownError{Input: p.String(), Closest: u.closest(p.OS + "/" + p.Arch)}
}

// closest returns up to three supported os/arch pairs nearest to s by
// edit distance, favouring pairs that share the os or the arch.
func (u *Universe) closest(s string) []string {
	os, arch, _ := strings.Cut(s, "/")
	type cand struct {
		name string
		d    int
	}
	var cands []cand
	for _, in := range u.infos {
		d := distance(s, in.String())
		if in.OS == os || in.Arch == arch {
			d -= 2
		}
		cands = append(cands, cand{in.String(), d})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].d < cands[j].d })
	var out []string
	for _, c := range cands {
		if len(out) == 3 || c.d > len(s)/2+1 {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
