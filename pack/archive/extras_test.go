package archive

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/go-multierror"
)

func names(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}

// module returns a module directory with documents, a nested directory,
// symlinks in and out of it, and the outside file they point to.
func module(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	mod := filepath.Join(base, "mod")
	write(t, filepath.Join(base, "secret"), "outside\n")
	write(t, filepath.Join(mod, "README.md"), "# r\n")
	write(t, filepath.Join(mod, "docs", "USAGE.md"), "usage\n")
	write(t, filepath.Join(mod, "docs", "FAQ.md"), "faq\n")
	write(t, filepath.Join(mod, "docs", "img", "logo.svg"), "<svg/>\n")
	for link, target := range map[string]string{
		"link-in":    "docs/USAGE.md",
		"link-out":   filepath.Join(base, "secret"),
		"rel-out":    "../secret",
		"docs-out":   base,
		"dangling":   "nowhere",
		"docs/alias": "../README.md",
	} {
		if err := os.Symlink(target, filepath.Join(mod, link)); err != nil {
			t.Fatal(err)
		}
	}
	return mod
}

func TestExtras(t *testing.T) {
	mod := module(t)
	got, err := Extras(mod, []string{"README.md", "docs/*.md", "link-in", "docs/*", "docs/alias"})
	if err != nil {
		t.Fatalf("Extras: %v", err)
	}
	want := []string{"README.md", "docs/FAQ.md", "docs/USAGE.md", "docs/alias", "link-in"}
	if !slices.Equal(names(got), want) {
		t.Errorf("Extras names = %q, want %q (sorted, deduplicated, directories skipped by globs)", names(got), want)
	}
	for _, f := range got {
		if f.Mode != 0 || !strings.HasPrefix(f.Src, mustEval(t, mod)) {
			t.Errorf("Extras entry %+v: want Mode 0 and Src inside the module", f)
		}
	}
	if f := got[slices.Index(names(got), "link-in")]; filepath.Base(f.Src) != "USAGE.md" {
		t.Errorf("link-in resolved to %s, want docs/USAGE.md", f.Src)
	}

	// Archive them, so Write accepts what Extras returns.
	if err := Write(t.Context(), filepath.Join(t.TempDir(), "x.tar.gz"), got, Options{ModTime: mtime}); err != nil {
		t.Errorf("Write(Extras) = %v", err)
	}
}

func mustEval(t *testing.T, p string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestExtrasRejects(t *testing.T) {
	mod := module(t)
	bad := map[string]string{
		"../x":         `".." leaves the module`,
		"docs/../../x": `".." leaves the module`,
		"/etc/passwd":  "absolute path",
		"link-out":     "outside the module",
		"rel-out":      "outside the module",
		"docs-out/*":   "outside the module",
		"missing.txt":  "no such file",
		"*.nothing":    "no such file",
		"docs":         "not a regular file",
		"dangling":     "no such file",
		"[":            "syntax error",
		"":             "empty pattern",
	}
	patterns := []string{"README.md"} // a good one among them changes nothing
	for p := range bad {
		patterns = append(patterns, p)
	}
	files, err := Extras(mod, patterns)
	if err == nil || files != nil {
		t.Fatalf("Extras(bad patterns) = %v, %v; want nil and an error", names(files), err)
	}
	var me *multierror.Error
	if !errors.As(err, &me) || len(me.Errors) != len(bad) {
		t.Errorf("Extras error is not a multierror of %d:\n%v", len(bad), err)
	}
	for p, why := range bad {
		found := false
		for _, line := range strings.Split(err.Error(), "\n") {
			found = found || strings.Contains(line, `extra file "`+p+`"`) && strings.Contains(line, why)
		}
		if !found {
			t.Errorf("Extras error has no line for %q with %q:\n%v", p, why, err)
		}
	}
}

func TestDefaultExtras(t *testing.T) {
	mod := t.TempDir()
	for _, name := range []string{"readme.md", "LICENSE.txt", "Licence", "COPYING", "README.ja.md", "main.go", "NOTREADME", "docs/README"} {
		write(t, filepath.Join(mod, name), name)
	}
	os.Mkdir(filepath.Join(mod, "COPYING.d"), 0o755)
	os.Symlink("readme.md", filepath.Join(mod, "README.link"))
	want := []string{"COPYING", "LICENSE.txt", "Licence", "README.ja.md", "readme.md"}
	if got := names(DefaultExtras(mod)); !slices.Equal(got, want) {
		t.Errorf("DefaultExtras = %q, want %q", got, want)
	}
	if got := DefaultExtras(filepath.Join(mod, "missing")); len(got) != 0 {
		t.Errorf("DefaultExtras(missing dir) = %v, want none", got)
	}
}
