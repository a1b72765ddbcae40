package audit

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/kiln-build/kiln/evidence/provenance"
	"github.com/kiln-build/kiln/layout"
)

// provenance checks the statement: subjects against the checksums file,
// source against what the user expects.
func (a *auditor) provenance() {
	name := a.rel.provenance
	if name == "" {
		name = a.rel.prefix + layout.ProvenanceSuffix
		if a.opts.Repo != "" || a.opts.Commit != "" {
			a.add(name, "source", Failed, "missing: the source repository and commit asked for can only be checked against the provenance")
		} else {
			a.add(name, "subjects", NotChecked, "not in the directory")
		}
		return
	}
	data, err := a.read(name, MaxEvidence)
	if err == nil {
		a.prov, err = provenance.Read(data)
	}
	if err != nil {
		a.add(name, "subjects", Failed, "%v", err)
		return
	}
	a.rep.Repository, a.rep.Commit = a.prov.Repository(), a.prov.Source.Commit
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
	repo, commit := a.prov.Repository(), a.prov.Source.Commit
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
