package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/kiln-build/kiln/evidence/provenance"
)

// Provenance is what a kiln provenance statement says: its subjects, the
// parameters of the build, and its source.
type Provenance struct {
	Subjects []provenance.Subject
	// External and Internal are the build's parameters as kiln recorded
	// them (see package provenance).
	External provenance.External
	Internal provenance.Internal
	// SourceURI and Commit are the source dependency: SLSA's
	// "git+https://host/org/repo" (maybe with "@ref") and its gitCommit.
	SourceURI, Commit string
	BuildType         string
	BuilderID         string
	// KilnVersion is the version of kiln that wrote it ("devel" for a
	// checkout), from runDetails.builder.version.
	KilnVersion string
}

// The JSON of a statement, as far as check and rebuild read it.
type statementJSON struct {
	Type          string `json:"_type"`
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate struct {
		BuildDefinition struct {
			BuildType            string              `json:"buildType"`
			ExternalParameters   provenance.External `json:"externalParameters"`
			InternalParameters   provenance.Internal `json:"internalParameters"`
			ResolvedDependencies []struct {
				URI    string            `json:"uri"`
				Digest map[string]string `json:"digest"`
			} `json:"resolvedDependencies"`
		} `json:"buildDefinition"`
		RunDetails struct {
			Builder struct {
				ID      string            `json:"id"`
				Version map[string]string `json:"version"`
			} `json:"builder"`
		} `json:"runDetails"`
	} `json:"predicate"`
}

// ReadProvenance reads an in-toto Statement v1 with an SLSA Provenance v1
// predicate, as kiln writes it. Every problem is reported at once.
func ReadProvenance(data []byte) (*Provenance, error) {
	var st statementJSON
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("not an in-toto statement: %w", err)
	}
	var errs []error
	if st.Type != provenance.StatementType {
		errs = append(errs, fmt.Errorf("_type %q, want %q", st.Type, provenance.StatementType))
	}
	if st.PredicateType != provenance.PredicateType {
		errs = append(errs, fmt.Errorf("predicateType %q, want %q", st.PredicateType, provenance.PredicateType))
	}
	bd := st.Predicate.BuildDefinition
	p := &Provenance{External: bd.ExternalParameters, Internal: bd.InternalParameters, BuildType: bd.BuildType,
		BuilderID: st.Predicate.RunDetails.Builder.ID, KilnVersion: st.Predicate.RunDetails.Builder.Version["kiln"]}
	seen := map[string]bool{}
	for i, s := range st.Subject {
		sum := s.Digest["sha256"]
		switch {
		case s.Name == "":
			errs = append(errs, fmt.Errorf("subject %d has no name", i+1))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("subject %s is listed twice", s.Name))
		case len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "":
			errs = append(errs, fmt.Errorf("subject %s: sha256 %q is not 64 lowercase hex digits", s.Name, sum))
		}
		seen[s.Name] = true
		p.Subjects = append(p.Subjects, provenance.Subject{Name: s.Name, SHA256: sum})
	}
	if len(st.Subject) == 0 {
		errs = append(errs, errors.New("no subjects"))
	}
	for _, d := range bd.ResolvedDependencies {
		if c := d.Digest["gitCommit"]; c != "" {
			p.SourceURI, p.Commit = d.URI, c
			break
		}
	}
	if p.Commit == "" {
		errs = append(errs, errors.New("no source dependency with a gitCommit digest"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return p, nil
}

// Repository is the source repository without SLSA's "git+" and "@ref":
// the external parameter when recorded, else the source URI's.
func (p *Provenance) Repository() string {
	if p.External.Repository != "" {
		return p.External.Repository
	}
	s := strings.TrimPrefix(p.SourceURI, "git+")
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return s
	}
	u.Path, _, _ = strings.Cut(u.Path, "@") // SLSA's "@ref"
	u.RawPath = ""
	return u.String()
}

// provenance checks the statement: subjects against the checksums file,
// source against what the user expects.
func (a *auditor) provenance() {
	name := a.rel.provenance
	if name == "" {
		name = a.rel.prefix + ProvenanceSuffix
		if a.opts.Repo != "" || a.opts.Commit != "" {
			a.add(name, "source", Failed, "missing: the source repository and commit asked for can only be checked against the provenance")
		} else {
			a.add(name, "subjects", NotChecked, "not in the directory")
		}
		return
	}
	data, err := a.read(name, MaxEvidence)
	if err == nil {
		a.prov, err = ReadProvenance(data)
	}
	if err != nil {
		a.add(name, "subjects", Failed, "%v", err)
		return
	}
	a.rep.Repository, a.rep.Commit = a.prov.Repository(), a.prov.Commit
	if a.lines != nil {
		if diff := subjectDiff(a.prov.Subjects, a.lines); diff != "" {
			a.add(name, "subjects", Failed, "not the checksums file's lines: %s", diff)
		} else {
			a.add(name, "subjects", OK, "the %d lines of %s", len(a.lines), a.rel.checksums)
		}
	}
	a.source(name)
}

// subjectDiff describes how subjects differ from the checksums lines, ""
// when they are the same set.
func subjectDiff(subjects, lines []provenance.Subject) string {
	want := map[string]string{}
	for _, l := range lines {
		want[l.Name] = l.SHA256
	}
	var diffs []string
	for _, s := range subjects {
		sum, ok := want[s.Name]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("lists %s, which the checksums file does not", s.Name))
		case sum != s.SHA256:
			diffs = append(diffs, fmt.Sprintf("%s has sha256 %s, the checksums file %s", s.Name, s.SHA256, sum))
		}
		delete(want, s.Name)
	}
	for _, l := range lines {
		if _, missing := want[l.Name]; missing {
			diffs = append(diffs, fmt.Sprintf("subject %s is missing", l.Name))
		}
	}
	return strings.Join(diffs, "; ")
}

// source checks the provenance's repository and commit against the
// user's.
func (a *auditor) source(name string) {
	repo, commit := a.prov.Repository(), a.prov.Commit
	if a.opts.Repo == "" && a.opts.Commit == "" {
		a.add(name, "source", NotChecked, "built from %s at %s (no repository or commit given to require)", repo, commit)
		return
	}
	var bad []string
	if a.opts.Repo != "" && NormalizeRepo(repo) != NormalizeRepo(a.opts.Repo) {
		bad = append(bad, fmt.Sprintf("repository %s, not %s", repo, a.opts.Repo))
	}
	if c := strings.ToLower(a.opts.Commit); c != "" && (len(c) < 7 || !strings.HasPrefix(commit, c)) {
		bad = append(bad, fmt.Sprintf("commit %s, not %s", commit, a.opts.Commit))
	}
	if len(bad) > 0 {
		a.add(name, "source", Failed, "built from %s", strings.Join(bad, ", "))
		return
	}
	a.add(name, "source", OK, "built from %s at %s", repo, commit)
}

// NormalizeRepo reduces a repository reference to host/path (or the path
// of a local one) for comparison: scheme, "git+", user, ".git", a trailing
// slash and SLSA's "@ref" go; the host is lowercased.
// "git+https://GitHub.com/org/app.git@refs/tags/v1" and
// "git@github.com:org/app" are both "github.com/org/app".
func NormalizeRepo(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "git+")
	if u, err := url.Parse(s); err == nil && u.Scheme != "" && len(u.Scheme) > 1 {
		p, _, _ := strings.Cut(u.Path, "@") // SLSA's "@ref"
		s = strings.ToLower(u.Host) + p
	} else if host, p, ok := strings.Cut(s, ":"); ok && !strings.Contains(host, "/") {
		if i := strings.LastIndex(host, "@"); i >= 0 {
			host = host[i+1:]
		}
		s = strings.ToLower(host) + "/" + strings.TrimPrefix(p, "/")
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "/"), ".git")
	if strings.HasPrefix(s, "/") {
		return path.Clean(s)
	}
	return s
}
