package binaries

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/project"
)

// CgoHints gives each build of bins that failed for lack of a C toolchain
// while nobody had decided its cgo (auto) the configuration line that
// decides it: build without cgo — the maintainers' call, since only they
// know whether the program works without the cgo files left out — or name
// a C compiler (or let kiln install one). listed says the binaries are
// configured in Config.Binaries.
func CgoHints(bins []Bin, listed bool, results []gobuild.Result) {
	failing := map[string][]string{}
	var hinted []*gobuild.ToolchainError
	var names []string
	for _, r := range results {
		var te *gobuild.ToolchainError
		b, ok := named(bins, r.Spec.Name)
		if !ok || !errors.As(r.Err, &te) || b.Builds[r.Spec.Platform].CgoBy != "" {
			continue
		}
		failing[b.Name] = append(failing[b.Name], r.Spec.Platform.String())
		hinted, names = append(hinted, te), append(names, b.Name)
	}
	for i, te := range hinted {
		te.Hint = cgoHint(bins, listed, names[i], failing[names[i]], te)
	}
}

// named returns the binary of a name.
func named(bins []Bin, name string) (Bin, bool) {
	for _, b := range bins {
		if b.Name == name {
			return b, true
		}
	}
	return Bin{}, false
}

// cgoHint is the hint for binary name failing on platforms.
func cgoHint(bins []Bin, listed bool, name string, platforms []string, te *gobuild.ToolchainError) string {
	sel := strings.Join(platforms, ",")
	var off string
	if listed {
		b, _ := named(bins, name)
		off = fmt.Sprintf("add Cgo: %q to the binary {Main: %q} of targets.Config.Binaries", "off:"+sel, b.Main)
	} else {
		lits := make([]string, len(bins))
		for i, b := range bins {
			lit := fmt.Sprintf("Main: %q", b.Main)
			if b.Name != project.ShortName(b.ImportPath) {
				lit = fmt.Sprintf("Name: %q, ", b.Name) + lit
			}
			if b.Name == name {
				lit += fmt.Sprintf(", Cgo: %q", "off:"+sel)
			}
			lits[i] = "{" + lit + "}"
		}
		off = "targets.Config.Binaries = []targets.Binary{" + strings.Join(lits, ", ") + "}"
	}
	with := fmt.Sprintf("targets.Config.CC = map[string]string{%q: \"<a C compiler for %s>\"}", te.Platform.String(), te.Platform)
	if te.Install != "" {
		with += " or targets.Config.Toolchains = \"install\""
	}
	return fmt.Sprintf("cgo is undecided for %s on %s: decide it in your magefile's init():\n"+
		"  without cgo, when %s works without the cgo files of %s (they are left out):\n    %s\n"+
		"  or with cgo, given a C toolchain:\n    %s",
		name, sel, name, strings.Join(te.Packages, ", "), off, with)
}

// CgoNote says, of a binary built for a platform without the cgo files of
// some packages, which: each a fallback, or a stub that fails at run time.
func CgoNote(name string, pl matrix.Platform, decision string, leftOut []string) string {
	return fmt.Sprintf("%s %s: built with cgo %s: the cgo files of %s are left out; unless they have a fallback, what they do fails at run time",
		name, pl, decision, strings.Join(leftOut, ", "))
}
