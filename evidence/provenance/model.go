package provenance

import (
	"cmp"
	"debug/buildinfo"
	"slices"
	"strings"

	"github.com/kiln-build/kiln/evidence/internal/gomod"
)

// The in-toto Statement v1 and SLSA Provenance v1 JSON model.

type statement struct {
	Type          string               `json:"_type"`
	Subject       []resourceDescriptor `json:"subject"`
	PredicateType string               `json:"predicateType"`
	Predicate     predicate            `json:"predicate"`
}

type resourceDescriptor struct {
	Name   string            `json:"name,omitempty"`
	URI    string            `json:"uri,omitempty"`
	Digest map[string]string `json:"digest,omitempty"`
}

type predicate struct {
	BuildDefinition buildDefinition `json:"buildDefinition"`
	RunDetails      runDetails      `json:"runDetails"`
}

type buildDefinition struct {
	BuildType            string               `json:"buildType"`
	ExternalParameters   External             `json:"externalParameters"`
	InternalParameters   Internal             `json:"internalParameters"`
	ResolvedDependencies []resourceDescriptor `json:"resolvedDependencies"`
}

type runDetails struct {
	Builder  builder  `json:"builder"`
	Metadata metadata `json:"metadata"`
}

type builder struct {
	ID      string            `json:"id"`
	Version map[string]string `json:"version,omitempty"`
}

type metadata struct {
	InvocationID string `json:"invocationId,omitempty"`
	StartedOn    string `json:"startedOn,omitempty"`
	FinishedOn   string `json:"finishedOn,omitempty"`
}

// A Module is one Go module compiled into a release's binaries.
type Module struct {
	Path    string
	Version string
	// Sum is the go.sum hash, "h1:...".
	Sum string
}

// ModulesFromBuildInfo returns the modules compiled into the binaries with
// build info bis: each dependency as compiled (a replacement's path,
// version and sum when replaced), without duplicates, sorted by path and
// version. Modules replaced by a directory are left out: their code is
// part of the source commit.
func ModulesFromBuildInfo(bis ...*buildinfo.BuildInfo) []Module {
	var out []Module
	seen := map[Module]bool{}
	for _, bi := range bis {
		if bi == nil {
			continue
		}
		for _, d := range bi.Deps {
			if d == nil {
				continue
			}
			m := Module{d.Path, d.Version, d.Sum}
			if r := d.Replace; r != nil {
				m = Module{r.Path, r.Version, r.Sum}
			}
			if m.Path == "" || gomod.IsDevel(m.Version) || seen[m] {
				continue
			}
			seen[m] = true
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b Module) int {
		return strings.Compare(a.Path+"@"+a.Version, b.Path+"@"+b.Version)
	})
	return out
}

func subjects(ss []Subject) []resourceDescriptor {
	out := make([]resourceDescriptor, len(ss))
	for i, s := range ss {
		out[i] = resourceDescriptor{Name: s.Name, Digest: map[string]string{"sha256": s.SHA256}}
	}
	slices.SortFunc(out, func(a, b resourceDescriptor) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// resolved lists the source commit first, then the modules by purl.
func resolved(src Source, mods []Module) []resourceDescriptor {
	out := []resourceDescriptor{{URI: src.URI, Digest: map[string]string{"gitCommit": src.Commit}}}
	var ms []resourceDescriptor
	for _, m := range mods {
		rd := resourceDescriptor{Name: m.Path, URI: gomod.PURL(m.Path, m.Version)}
		if hex, ok := gomod.H1Hex(m.Sum); ok {
			rd.Digest = map[string]string{"dirHash": hex}
		}
		ms = append(ms, rd)
	}
	slices.SortStableFunc(ms, func(a, b resourceDescriptor) int { return strings.Compare(a.URI, b.URI) })
	return append(out, ms...)
}

// sorted returns e with the matrix and binaries sorted.
// sorted returns i with its builds sorted by binary, then platform.
func (i Internal) sorted() Internal {
	i.Builds = slices.Clone(i.Builds)
	slices.SortStableFunc(i.Builds, func(a, b Build) int {
		return cmp.Or(strings.Compare(a.Binary, b.Binary), strings.Compare(a.Platform, b.Platform))
	})
	return i
}

func (e External) sorted() External {
	e.Matrix = slices.Sorted(slices.Values(e.Matrix))
	e.Binaries = slices.Clone(e.Binaries)
	slices.SortStableFunc(e.Binaries, func(a, b Binary) int { return strings.Compare(a.Name, b.Name) })
	if e.Matrix == nil {
		e.Matrix = []string{}
	}
	if e.Binaries == nil {
		e.Binaries = []Binary{}
	}
	return e
}
