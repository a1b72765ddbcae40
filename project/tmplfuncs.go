package project

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GoReleaser's template functions that need more than a strings call.

func title(s string) string {
	prev := ' '
	return strings.Map(func(r rune) rune {
		defer func() { prev = r }()
		if unicode.IsSpace(prev) || prev == '-' || prev == '_' {
			return unicode.ToTitle(r)
		}
		return r
	}, s)
}

// Path functions work on slash paths: templates render flags, not files
// of this machine.
func pathDir(s string) string  { return path.Dir(s) }
func pathBase(s string) string { return path.Base(s) }
func pathJoin(s ...string) string {
	return path.Join(s...)
}

// incVersion increments part (0 major, 1 minor, 2 patch) of a semantic
// version, keeping a "v" prefix and dropping any prerelease, as
// GoReleaser's incmajor/incminor/incpatch do.
func incVersion(v string, part int) (string, error) {
	maj, min, pat, _ := semverParts(v)
	core := strings.TrimPrefix(v, "v")
	if !regexp.MustCompile(`^\d+\.\d+\.\d+`).MatchString(core) {
		return "", fmt.Errorf("%q is not a semantic version", v)
	}
	switch part {
	case 0:
		maj, min, pat = maj+1, 0, 0
	case 1:
		min, pat = min+1, 0
	default:
		pat++
	}
	prefix := ""
	if strings.HasPrefix(v, "v") {
		prefix = "v"
	}
	return fmt.Sprintf("%s%d.%d.%d", prefix, maj, min, pat), nil
}

// filterLines keeps the lines of s that match (or, reversed, do not match)
// the POSIX regular expression re.
func filterLines(s, re string, reverse bool) (string, error) {
	x, err := regexp.CompilePOSIX(re)
	if err != nil {
		return "", err
	}
	var keep []string
	for line := range strings.SplitSeq(s, "\n") {
		if x.MatchString(line) != reverse {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n"), nil
}

var mdv2 = strings.NewReplacer("_", `\_`, "*", `\*`, "[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`, "~", `\~`,
	"`", "\\`", ">", `\>`, "#", `\#`, "+", `\+`, "-", `\-`, "=", `\=`, "|", `\|`, "{", `\{`, "}", `\}`, ".", `\.`, "!", `\!`)

func mdv2Escape(s string) string { return mdv2.Replace(s) }

func urlPathEscape(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return url.PathEscape(s)
}

// englishJoin joins the non-blank items as "a, b, and c".
func englishJoin(items []string) string {
	var ss []string
	for _, s := range items {
		if strings.TrimSpace(s) != "" {
			ss = append(ss, s)
		}
	}
	switch len(ss) {
	case 0:
		return ""
	case 1:
		return ss[0]
	case 2:
		return ss[0] + " and " + ss[1]
	}
	return strings.Join(ss[:len(ss)-1], ", ") + ", and " + ss[len(ss)-1]
}

func makeMap(kv ...string) (map[string]string, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("map wants key value pairs, got %d arguments", len(kv))
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m, nil
}
