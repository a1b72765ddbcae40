package project

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// maxPackages bounds the packages of one program that are looked at.
const maxPackages = 5000

// Vars names the variables -X sets, as -X spells them: "main.version",
// "example.com/tool/internal/version.Version"; "" for none. It converts to
// gobuild.StampVars.
type Vars struct {
	Version, Commit, Date string
}

// Identity is how a program learns its version.
type Identity struct {
	// Vars are the variables to stamp: each found unambiguously, or "".
	Vars Vars
	// ReadsBuildInfo is true when the program reads the main module's
	// version from runtime/debug.ReadBuildInfo, which Go's VCS stamping
	// fills with the tag.
	ReadsBuildInfo bool
	// BuildInfoPackage is the import path of the package that reads it.
	BuildInfoPackage string
	// Notes say what was ambiguous or left out, with the config line.
	Notes []Note
	// MainVars are the main package's string variables -X can set, as -X
	// names them ("main.version"): a release config's -X of another
	// main.X reaches nothing.
	MainVars []string
	// Packages are the module-relative directories ("./cmd/tool",
	// "./internal/version") of the packages read, the main package's
	// first: the Identity holds while their files are unchanged.
	Packages []string
}

// roles are the stamped variables, with their Config.VersionVars field.
var roles = []struct {
	field string
	names []string // normalised exact names
}{
	{"Version", []string{"version"}},
	{"Commit", []string{"commit", "gitcommit", "commithash", "commitsha", "gitsha", "githash", "revision", "gitrevision", "buildcommit"}},
	{"Date", []string{"date", "builddate", "buildtime", "buildtimestamp", "commitdate", "releasedate"}},
}

// versionPrefixes may precede "version" in a version variable's name,
// besides the program's and the module's names.
var versionPrefixes = []string{"app", "binary", "build", "cli", "cmd", "git", "main", "program", "release", "tool"}

// tierPackages are the package names of the second tier.
var tierPackages = []string{"version", "buildinfo", "build"}

// normalize lower-cases a name and drops '_' and '-'.
func normalize(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s))
}

// match returns the name class of variable name for role r (0 exact, 1
// prefixed) and whether it matches.
func match(r int, name string, prefixes []string) (int, bool) {
	n := normalize(name)
	if slices.Contains(roles[r].names, n) {
		return 0, true
	}
	if r == 0 {
		if p, ok := strings.CutSuffix(n, "version"); ok && p != "" && slices.Contains(prefixes, p) {
			return 1, true
		}
	}
	return 0, false
}

// candidate is a variable that may take a role.
type candidate struct {
	tier, class int
	x           string // as -X names it
}

// Identity finds how the program whose main package is main (a directory
// such as "./cmd/tool", or an import path) learns its version, evaluated
// for the first of o's platforms under which it is package main.
func (m *Module) Identity(main string, o Options) (Identity, error) {
	rel, err := m.mainDir(main)
	if err != nil {
		return Identity{}, err
	}
	dir := filepath.Join(m.Dir, filepath.FromSlash(rel))
	var pl matrix.Platform
	found := false
	for _, p := range o.platforms() {
		if m.isMain(dir, p, o) {
			pl, found = p, true
			break
		}
	}
	if !found {
		return Identity{}, fmt.Errorf("%s is not a main package of module %s for the planned platforms", rel, m.Path)
	}
	progName := normalize(ShortName(m.importPath(rel)))
	if rel == "." {
		progName = normalize(m.Name())
	}
	prefixes := append([]string{progName, normalize(m.Name())}, versionPrefixes...)

	var id Identity
	best := make([][]candidate, len(roles))
	others := map[string]string{} // x → why -X cannot set it, for role-named non-candidates
	for _, pk := range m.closure(rel, pl, o) {
		id.Packages = append(id.Packages, pk.rel)
		tier := m.tier(pk)
		needsBodies := slices.Contains(pk.info.imports, "runtime/debug")
		if tier == 0 && !needsBodies {
			continue
		}
		c := m.check(pk.imp, pk.info.files)
		if needsBodies && !id.ReadsBuildInfo && c.readsMainVersion() {
			id.ReadsBuildInfo, id.BuildInfoPackage = true, pk.imp
		}
		if tier == 0 {
			continue
		}
		qual := pk.imp
		if tier == 1 {
			qual = "main"
		}
		settable, other := c.vars()
		if tier == 1 {
			for _, v := range settable {
				id.MainVars = append(id.MainVars, "main."+v)
			}
		}
		for r := range roles {
			for _, v := range settable {
				if class, ok := match(r, v, prefixes); ok {
					best[r] = append(best[r], candidate{tier, class, qual + "." + v})
				}
			}
			for v, why := range other {
				if _, ok := match(r, v, prefixes); ok {
					others[qual+"."+v] = why
				}
			}
		}
	}
	for r, cands := range best {
		x, note := choose(roles[r].field, cands)
		switch r {
		case 0:
			id.Vars.Version = x
		case 1:
			id.Vars.Commit = x
		case 2:
			id.Vars.Date = x
		}
		if note != "" {
			id.Notes = append(id.Notes, Note{rel, note})
		}
	}
	if id.Vars.Version == "" && len(best[0]) == 0 {
		var near []string
		for x, why := range others {
			if _, ok := match(0, x[strings.LastIndex(x, ".")+1:], prefixes); ok {
				near = append(near, fmt.Sprintf("%s is %s", x, why))
			}
		}
		sort.Strings(near)
		if len(near) > 0 {
			id.Notes = append(id.Notes, Note{rel, fmt.Sprintf("no string variable -X can set holds the version (%s)", strings.Join(near, "; "))})
		}
	}
	return id, nil
}

// choose picks the variable of the best (tier, class), or none with a note
// when several share it.
func choose(field string, cands []candidate) (string, string) {
	if len(cands) == 0 {
		return "", ""
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		if a.class != b.class {
			return a.class - b.class
		}
		return strings.Compare(a.x, b.x)
	})
	var tied []string
	for _, c := range cands {
		if c.tier == cands[0].tier && c.class == cands[0].class && !slices.Contains(tied, c.x) {
			tied = append(tied, c.x)
		}
	}
	if len(tied) == 1 {
		return tied[0], ""
	}
	lines := make([]string, len(tied))
	for i, x := range tied {
		lines[i] = fmt.Sprintf("targets.Config.VersionVars.%s = %q", field, x)
	}
	return "", fmt.Sprintf("the %s variable is ambiguous: %s; kiln stamps none of them: pick one in your magefile's init(): %s",
		strings.ToLower(field), strings.Join(tied, ", "), strings.Join(lines, " or "))
}

// pkgNode is one package of a program.
type pkgNode struct {
	imp  string
	rel  string
	info *pkgInfo
}

// closure returns the program's main package and the module's packages it
// imports, directly or not, under platform p (breadth first, sorted per
// level so the order is deterministic).
func (m *Module) closure(rel string, p matrix.Platform, o Options) []pkgNode {
	start := pkgNode{m.importPath(rel), rel, m.pkg(filepath.Join(m.Dir, filepath.FromSlash(rel)), p, o)}
	out := []pkgNode{start}
	seen := map[string]bool{start.imp: true}
	for i := 0; i < len(out) && len(out) < maxPackages; i++ {
		imps := slices.Clone(out[i].info.imports)
		sort.Strings(imps)
		for _, imp := range imps {
			r, ok := m.relDir(imp)
			if !ok || seen[imp] || !m.inModule(r) {
				continue
			}
			seen[imp] = true
			pi := m.pkg(filepath.Join(m.Dir, filepath.FromSlash(r)), p, o)
			if pi.name == "" {
				continue
			}
			out = append(out, pkgNode{imp, r, pi})
		}
	}
	return out
}

// tier ranks a package of the program for version variables (0: not
// searched).
func (m *Module) tier(pk pkgNode) int {
	switch {
	case pk.info.name == "main":
		return 1
	case slices.Contains(tierPackages, pk.info.name):
		return 2
	case pk.imp == m.Path+"/cmd":
		return 3
	case pk.imp == m.Path:
		return 4
	}
	return 0
}

// check type-checks a package once per module and file set.
func (m *Module) check(imp string, files []string) *checked {
	k := imp + "\x00" + strings.Join(files, "\x00")
	if c, ok := m.checks[k]; ok {
		return c
	}
	c := check(imp, files)
	m.checks[k] = c
	return c
}
