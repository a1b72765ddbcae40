package assemble

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/binaries"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/gitinfo"
)

// Source is where a release's sources are, as its provenance states it
// (Release.Source).
type Source struct {
	// URI is the source repository as a git+ URI (gitinfo.SourceURI).
	URI string
	// ModuleDir is the module's directory in the repository
	// (slash-separated, "." for the root).
	ModuleDir string
	// Sources are what reached the build besides the commit.
	Sources *gitinfo.Sources
}

// ReadSource reads the source facts of the module in dir, in its git
// repository, with the go command's environment env: uri is the
// repository's URI when it is known ("": git remote origin's).
func ReadSource(ctx context.Context, dir, uri string, env []string) (Source, error) {
	s := Source{URI: cmp.Or(uri, gitinfo.SourceURI(ctx, dir))}
	var err error
	if s.Sources, err = gitinfo.ReadSources(ctx, dir, env); err != nil {
		return Source{}, err
	}
	prefix, err := gitinfo.Git(ctx, dir, "rev-parse", "--show-prefix")
	if err != nil {
		return Source{}, fmt.Errorf("the module's directory in the repository: %w", err)
	}
	s.ModuleDir = cmp.Or(strings.TrimSuffix(strings.TrimSpace(prefix), "/"), ".")
	return s, nil
}

// Note says which sources besides the commit the provenance records, and
// whether the commit alone rebuilds the release; "" when the commit holds
// every source.
func (s Source) Note() string {
	if s.Sources == nil || s.Sources.GoWork == "" && len(s.Sources.Local) == 0 {
		return ""
	}
	var names []string
	if s.Sources.GoWork != "" {
		names = append(names, s.Sources.GoWork)
	}
	for _, l := range s.Sources.Local {
		names = append(names, l.Path+" ("+l.From+" "+l.Module+")")
	}
	what := "the commit holds them"
	if !s.Sources.Reproducible() {
		what = "not reproducible from the commit alone"
	}
	return "records the sources besides the commit that reached the build, " + what + ": " + strings.Join(names, ", ")
}

// Binaries are the release's programs as the provenance states them.
func Binaries(bins []binaries.Bin) []Binary {
	var out []Binary
	for _, b := range bins {
		out = append(out, Binary{Name: b.Name, Main: b.ImportPath, Tags: b.Tags, CgoMode: cgoMode(b), Platforms: b.Platforms})
	}
	return out
}

// cgoMode is a binary's cgo decisions as binaries.Binary.Cgo spells them:
// one mode ("auto", "off") when every platform has it, else the mode that
// differs from auto with the platforms it holds on
// ("off:darwin/amd64,darwin/arm64").
func cgoMode(b binaries.Bin) string {
	modes := map[gobuild.CgoMode][]string{}
	for _, pl := range b.Platforms {
		m := cmp.Or(b.Builds[pl].Cgo, gobuild.CgoAuto)
		modes[m] = append(modes[m], pl.String())
	}
	switch len(modes) {
	case 0:
		return string(gobuild.CgoAuto)
	case 1:
		for m := range modes {
			return string(m)
		}
	}
	for _, m := range []gobuild.CgoMode{gobuild.CgoOff, gobuild.CgoOn} {
		if len(modes) == 2 && len(modes[gobuild.CgoAuto]) > 0 && len(modes[m]) > 0 {
			return string(m) + ":" + strings.Join(modes[m], ",")
		}
	}
	return string(gobuild.CgoAuto)
}
