package provenance

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Read reads a statement as Statement writes it — an in-toto Statement v1
// with an SLSA Provenance v1 predicate — back into the Release it states,
// so that Statement(*Read(b)) is b for kiln's own bytes. The bytes are
// untrusted (a downloaded file): every problem is reported at once, each
// rule Statement enforces included, and no input makes Read panic.
func Read(data []byte) (*Release, error) {
	var st statement
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("provenance: not an in-toto statement: %w", err)
	}
	var errs []error
	if st.Type != StatementType {
		errs = append(errs, fmt.Errorf("_type %q, want %q", st.Type, StatementType))
	}
	if st.PredicateType != PredicateType {
		errs = append(errs, fmt.Errorf("predicateType %q, want %q", st.PredicateType, PredicateType))
	}
	bd, rd := st.Predicate.BuildDefinition, st.Predicate.RunDetails
	r := &Release{BuildType: bd.BuildType, External: bd.ExternalParameters, Internal: bd.InternalParameters,
		BuilderID: rd.Builder.ID, KilnVersion: rd.Builder.Version["kiln"], InvocationID: rd.Metadata.InvocationID}
	for _, s := range st.Subject {
		r.Subjects = append(r.Subjects, Subject{Name: s.Name, SHA256: s.Digest["sha256"]})
	}
	for i, d := range bd.ResolvedDependencies {
		switch commit, isSource := d.Digest["gitCommit"]; {
		case isSource && r.Source.Commit == "":
			r.Source = Source{URI: d.URI, Commit: commit}
		case isSource:
			errs = append(errs, fmt.Errorf("resolvedDependencies[%d]: a second source commit %s", i, commit))
		default:
			m, err := readModule(d)
			if err != nil {
				errs = append(errs, fmt.Errorf("resolvedDependencies[%d]: %w", i, err))
				continue
			}
			r.Modules = append(r.Modules, m)
		}
	}
	for _, t := range []struct {
		field string
		in    string
		out   *time.Time
	}{{"startedOn", rd.Metadata.StartedOn, &r.StartedOn}, {"finishedOn", rd.Metadata.FinishedOn, &r.FinishedOn}} {
		if t.in == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339Nano, t.in)
		if err != nil {
			errs = append(errs, fmt.Errorf("runDetails.metadata.%s %q: want an RFC 3339 time", t.field, t.in))
		}
		*t.out = v
	}
	errs = append(errs, r.problems()...)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("provenance: %w", err)
	}
	return r, nil
}

// readModule reads a Go module dependency: its purl
// ("pkg:golang/path@version", percent-encoded) and its dirHash (the go.sum
// h1 hash in hex).
func readModule(d resourceDescriptor) (Module, error) {
	rest, ok := strings.CutPrefix(d.URI, "pkg:golang/")
	if !ok {
		return Module{}, fmt.Errorf("%q is neither the source commit nor a Go module (pkg:golang/...)", d.URI)
	}
	p, v, _ := strings.Cut(rest, "@")
	path, errP := url.PathUnescape(p)
	version, errV := url.PathUnescape(v)
	if errP != nil || errV != nil || path == "" {
		return Module{}, fmt.Errorf("%q is not a Go module's purl", d.URI)
	}
	m := Module{Path: path, Version: version}
	if h := d.Digest["dirHash"]; h != "" {
		raw, err := hex.DecodeString(h)
		if err != nil || len(raw) != 32 {
			return Module{}, fmt.Errorf("%s: dirHash %q is not 64 hex digits", path, h)
		}
		m.Sum = "h1:" + base64.StdEncoding.EncodeToString(raw)
	}
	return m, nil
}

// Repository is the source repository without SLSA's "git+" and "@ref":
// the external parameter when recorded, else the source URI's.
func (r *Release) Repository() string {
	if r.External.Repository != "" {
		return r.External.Repository
	}
	s := strings.TrimPrefix(r.Source.URI, "git+")
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return s
	}
	u.Path, _, _ = strings.Cut(u.Path, "@") // SLSA's "@ref"
	u.RawPath = ""
	return u.String()
}
