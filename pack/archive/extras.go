package archive

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Extras resolves extra files to ship beside the binary. Each pattern is a
// slash path or filepath.Match glob relative to moduleDir; an entry's Name
// is its path relative to moduleDir ("docs/USAGE.md"), its Src the resolved
// file. A literal pattern must name a regular file (or a symlink to one); a
// glob's matches that are not regular files (directories) are skipped.
//
// An error names every bad pattern at once: a pattern that is absolute,
// contains "..", is malformed or matches nothing, and a match that is not a
// regular file or whose symlinks resolve outside moduleDir.
func Extras(moduleDir string, patterns []string) ([]File, error) {
	root, err := filepath.EvalSymlinks(moduleDir)
	if err != nil {
		return nil, fmt.Errorf("extras: module dir: %w", err)
	}
	root, err = filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("extras: module dir: %w", err)
	}
	var errs *multierror.Error
	byName := map[string]File{}
	for _, pat := range patterns {
		files, bad := resolve(root, pat)
		for _, err := range bad {
			errs = multierror.Append(errs, fmt.Errorf("extra file %q: %w", pat, err))
		}
		for _, f := range files {
			byName[f.Name] = f
		}
	}
	if err := errs.ErrorOrNil(); err != nil {
		return nil, err
	}
	return sortedFiles(byName), nil
}

// resolve expands one pattern below root, returning every problem.
func resolve(root, pat string) ([]File, []error) {
	slash := filepath.ToSlash(pat)
	switch {
	case pat == "":
		return nil, []error{fmt.Errorf("empty pattern")}
	case filepath.IsAbs(pat) || strings.HasPrefix(slash, "/"):
		return nil, []error{fmt.Errorf("absolute path; want a path relative to the module root")}
	case slices.Contains(strings.Split(slash, "/"), ".."):
		return nil, []error{fmt.Errorf(`".." leaves the module root`)}
	}
	glob := strings.ContainsAny(pat, `*?[`)
	matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(slash)))
	if err != nil {
		return nil, []error{err}
	}
	if len(matches) == 0 {
		return nil, []error{fmt.Errorf("no such file in the module")}
	}
	var files []File
	var errs []error
	for _, m := range matches {
		rel, _ := filepath.Rel(root, m)
		real, err := filepath.EvalSymlinks(m)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", rel, err))
			continue
		}
		if r, err := filepath.Rel(root, real); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			errs = append(errs, fmt.Errorf("%s: resolves to %s, outside the module", rel, real))
			continue
		}
		fi, err := os.Stat(real)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", rel, err))
			continue
		}
		if !fi.Mode().IsRegular() {
			if !glob {
				errs = append(errs, fmt.Errorf("%s: not a regular file", rel))
			}
			continue
		}
		files = append(files, File{Src: real, Name: filepath.ToSlash(rel)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(files) == 0 {
		return nil, []error{fmt.Errorf("matches no regular file")}
	}
	return files, nil
}

// DefaultExtras returns the conventional documents at the top of moduleDir
// that exist as regular files: README*, LICENSE*, LICENCE* and COPYING*,
// matched case-insensitively, sorted by name. An unreadable directory yields
// none.
func DefaultExtras(moduleDir string) []File {
	ents, err := os.ReadDir(moduleDir)
	if err != nil {
		return nil
	}
	byName := map[string]File{}
	for _, e := range ents {
		up := strings.ToUpper(e.Name())
		if !e.Type().IsRegular() {
			continue
		}
		for _, prefix := range []string{"README", "LICENSE", "LICENCE", "COPYING"} {
			if strings.HasPrefix(up, prefix) {
				byName[e.Name()] = File{Src: filepath.Join(moduleDir, e.Name()), Name: e.Name()}
			}
		}
	}
	return sortedFiles(byName)
}

func sortedFiles(byName map[string]File) []File {
	files := make([]File, 0, len(byName))
	for _, f := range byName {
		files = append(files, f)
	}
	slices.SortFunc(files, func(a, b File) int { return cmp.Compare(a.Name, b.Name) })
	return files
}
