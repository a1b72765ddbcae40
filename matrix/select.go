package matrix

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Default is the zero-config matrix.
var Default = []Platform{
	{OS: "linux", Arch: "amd64"},
	{OS: "linux", Arch: "arm64"},
	{OS: "linux", Arch: "arm", Variant: "7"},
	{OS: "darwin", Arch: "amd64"},
	{OS: "darwin", Arch: "arm64"},
	{OS: "windows", Arch: "amd64"},
	{OS: "windows", Arch: "arm64"},
}

// Select resolves a selector against the universe. A selector is a
// comma-separated list of terms:
//
//	linux/amd64, linux/arm/7   a platform (os/arch[/variant])
//	linux/*, */arm64           a glob over os/arch (path.Match syntax)
//	default                    the defaults argument (the configured matrix)
//	first-class                the toolchain's first-class ports
//	all                        every os/arch of the toolchain
//	!windows/386, !darwin/*    remove what the term selects
//
// Terms are applied in order; a selector of only negations starts from
// defaults. The result is sorted and free of duplicates. Every bad term is
// reported in one error.
func Select(u *Universe, selector string, defaults []Platform) ([]Platform, error) {
	var errs *multierror.Error
	var set []Platform
	terms := strings.Split(selector, ",")
	onlyNeg := true
	for _, t := range terms {
		if t = strings.TrimSpace(t); t != "" && !strings.HasPrefix(t, "!") {
			onlyNeg = false
		}
	}
	if onlyNeg {
		set = append(set, defaults...)
	}
	for _, t := range terms {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		neg := strings.HasPrefix(t, "!")
		ps, err := u.term(strings.TrimPrefix(t, "!"), defaults)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		if neg {
			set = remove(set, ps)
		} else {
			set = append(set, ps...)
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	set = unique(set)
	if len(set) == 0 {
		return nil, fmt.Errorf("selector %q selects no platform", selector)
	}
	return set, nil
}

func (u *Universe) term(t string, defaults []Platform) ([]Platform, error) {
	switch t {
	case "":
		return nil, fmt.Errorf("empty term after '!'")
	case "default":
		return defaults, nil
	case "all", "first-class":
		var ps []Platform
		for _, in := range u.infos {
			if t == "all" || in.FirstClass {
				ps = append(ps, in.Platform)
			}
		}
		return ps, nil
	}
	if strings.ContainsAny(t, "*?[") {
		if _, err := path.Match(t, ""); err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", t, err)
		}
		var ps []Platform
		for _, in := range u.infos {
			if ok, _ := path.Match(t, in.String()); ok {
				ps = append(ps, in.Platform)
			}
		}
		if len(ps) == 0 {
			return nil, fmt.Errorf("glob %q matches no platform of this toolchain", t)
		}
		return ps, nil
	}
	p, err := Parse(t)
	if err != nil {
		return nil, err
	}
	if err := u.Lookup(p); err != nil {
		return nil, err
	}
	return []Platform{p}, nil
}

// remove drops from set every platform matched by a negated term: an
// os/arch without variant removes all of its variants.
func remove(set, drop []Platform) []Platform {
	kept := set[:0:0]
	for _, p := range set {
		matched := false
		for _, d := range drop {
			if p.OS == d.OS && p.Arch == d.Arch && (d.Variant == "" || d.Variant == p.Variant) {
				matched = true
				break
			}
		}
		if !matched {
			kept = append(kept, p)
		}
	}
	return kept
}

func unique(ps []Platform) []Platform {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Less(ps[j]) })
	out := ps[:0:0]
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// SelectorHelp says what a selector is, for the error that refuses one.
const SelectorHelp = "(a selector is a comma-separated list of os/arch[/variant], globs like linux/*, !negations and the keywords default, first-class, all)"

// SelectSome is Select for a selector that must name some platform, with
// the mistakes users make named: only separators, upper case, a selector
// that leaves nothing.
func SelectSome(u *Universe, sel string, defaults []Platform) ([]Platform, error) {
	if strings.Trim(sel, ", \t") == "" {
		return nil, fmt.Errorf("the selector names no platform")
	}
	if low := strings.ToLower(sel); low != sel {
		if _, err := Select(u, low, defaults); err == nil {
			return nil, fmt.Errorf("platform names are lower case: did you mean %q?", low)
		}
	}
	ps, err := Select(u, sel, defaults)
	if err == nil && len(ps) == 0 {
		return nil, fmt.Errorf("the selector leaves no platform")
	}
	return ps, err
}
