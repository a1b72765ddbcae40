package systemd

import "strings"

// quoteWord returns s as one word of a systemd command line or
// Environment= list, such that systemd turns it back into exactly s:
// "%" becomes "%%" (no specifier expansion), with vars "$" becomes "$$" (no
// variable expansion, ExecStart only), and a word with anything beyond a
// small safe set is double-quoted with C escapes for `\` and `"`. Callers
// have rejected control characters.
func quoteWord(s string, vars bool) string {
	s = escapeSpecifiers(s)
	if vars {
		s = strings.ReplaceAll(s, "$", "$$")
	}
	if s != "" && strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '\\' || r == '"' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// unsafeRune reports a rune that needs quoting in a command-line word.
// Everything outside this set is quoted, including ";" (a lone ";"
// separates commands) and non-ASCII text.
func unsafeRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("_-+=:,./@%$", r)
}

// escapeSpecifiers makes systemd read "%" literally.
func escapeSpecifiers(s string) string {
	return strings.ReplaceAll(s, "%", "%%")
}
