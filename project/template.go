package project

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

// maxOutput bounds what one template may render.
const maxOutput = 64 << 10

// Facts are the release facts GoReleaser templates read.
type Facts struct {
	// ProjectName; default: the config's project_name, else the last
	// element of ModulePath.
	ProjectName string
	// ModulePath is the module path (.ModulePath).
	ModulePath string
	// Tag is the release tag, "v1.2.3" (.Tag).
	Tag string
	// Version is .Version; default: Tag without its "v".
	Version                              string
	PreviousTag, Branch, Summary, GitURL string
	TagSubject, TagContents, TagBody     string
	Commit                               string    // the full hash (.Commit, .FullCommit; .ShortCommit its first 7)
	CommitDate                           time.Time // .CommitDate, .CommitTimestamp
	Date                                 time.Time // .Date, .Timestamp, .Now and `time`: kiln passes the commit time, for reproducible output
	Dirty, Snapshot                      bool
	GoVersion                            string            // .GoVersion (not a GoReleaser field; kiln's extra)
	Env                                  map[string]string // .Env: only what the caller passes, never kiln's own environment
}

// semver splits a version into major, minor, patch and prerelease.
func semverParts(v string) (maj, min, pat uint64, pre string) {
	v = strings.TrimPrefix(v, "v")
	v, _, _ = strings.Cut(v, "+")
	v, pre, _ = strings.Cut(v, "-")
	parts := strings.SplitN(v, ".", 3)
	nums := []*uint64{&maj, &min, &pat}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return 0, 0, 0, ""
		}
		*nums[i] = n
	}
	return maj, min, pat, pre
}

// platformFields are the template fields of one platform.
var platformFields = []string{"Os", "Arch", "Arm", "Arm64", "Amd64", "I386", "Mips", "Ppc64", "Riscv64", "Abi", "Target"}

// data is the template data of facts f (and platform p, when not nil).
func (f Facts) data(projectName string, p *matrix.Platform, env map[string]string, vars map[string]any) map[string]any {
	ver := f.Version
	if ver == "" {
		ver = strings.TrimPrefix(f.Tag, "v")
	}
	maj, min, pat, pre := semverParts(ver)
	short := f.Commit
	if len(short) > 7 {
		short = short[:7]
	}
	state := "clean"
	if f.Dirty {
		state = "dirty"
	}
	d := map[string]any{
		"ProjectName": projectName, "ModulePath": f.ModulePath,
		"Version": ver, "RawVersion": fmt.Sprintf("%d.%d.%d", maj, min, pat),
		"Tag": f.Tag, "PrefixedTag": f.Tag, "PreviousTag": f.PreviousTag, "PrefixedPreviousTag": f.PreviousTag,
		"Branch": f.Branch, "Summary": f.Summary, "PrefixedSummary": f.Summary, "GitURL": f.GitURL,
		"Commit": f.Commit, "FullCommit": f.Commit, "ShortCommit": short,
		"CommitDate": f.CommitDate.UTC().Format(time.RFC3339), "CommitTimestamp": f.CommitDate.UTC().Unix(),
		"Date": f.Date.UTC().Format(time.RFC3339), "Timestamp": f.Date.UTC().Unix(), "Now": f.Date.UTC(),
		"Major": maj, "Minor": min, "Patch": pat, "Prerelease": pre,
		"IsGitDirty": f.Dirty, "IsGitClean": !f.Dirty, "GitTreeState": state,
		"IsSnapshot": f.Snapshot, "IsNightly": false, "IsDraft": false, "IsSingleTarget": false, "IsRelease": !f.Snapshot,
		"IsMerging": false, "ReleaseNotes": "", "ReleaseURL": "",
		"TagSubject": f.TagSubject, "TagContents": f.TagContents, "TagBody": f.TagBody,
		"Runtime":   map[string]string{"Goos": runtime.GOOS, "Goarch": runtime.GOARCH},
		"GoVersion": f.GoVersion, "Env": maps.Clone(env), "Var": vars,
	}
	if d["Env"] == nil {
		d["Env"] = map[string]string{}
	}
	for _, k := range platformFields {
		d[k] = ""
	}
	if p != nil {
		t := toTarget(*p)
		d["Os"], d["Arch"] = t.Goos, t.Goarch
		d["Arm"], d["Arm64"], d["Amd64"], d["I386"] = t.Goarm, t.Goarm64, t.Goamd64, t.Go386
		d["Mips"], d["Ppc64"], d["Riscv64"] = t.Gomips, t.Goppc64, t.Goriscv64
		d["Target"] = t.String()
	}
	return d
}

// errNotSupported is what template functions kiln does not provide return.
var errNotSupported = errors.New("not supported by kiln (it reads no files and no clock in templates)")

// funcs are GoReleaser's template functions; date ones use date.
func funcs(date time.Time, env map[string]string) template.FuncMap {
	fail := func(...string) (string, error) { return "", errNotSupported }
	fm := template.FuncMap{
		"replace": strings.ReplaceAll, "split": strings.Split, "contains": strings.Contains,
		"tolower": strings.ToLower, "toupper": strings.ToUpper, "trim": strings.TrimSpace,
		"trimprefix": strings.TrimPrefix, "trimsuffix": strings.TrimSuffix, "title": title,
		"time": func(layout string) string { return date.UTC().Format(layout) },
		"dir":  pathDir, "base": pathBase, "join": pathJoin, "abs": fail,
		"incmajor":      func(v string) (string, error) { return incVersion(v, 0) },
		"incminor":      func(v string) (string, error) { return incVersion(v, 1) },
		"incpatch":      func(v string) (string, error) { return incVersion(v, 2) },
		"filter":        func(s, re string) (string, error) { return filterLines(s, re, false) },
		"reverseFilter": func(s, re string) (string, error) { return filterLines(s, re, true) },
		"mdv2escape":    mdv2Escape, "urlPathEscape": urlPathEscape, "englishJoin": englishJoin,
		"envOrDefault": func(name, def string) string {
			if v, ok := env[name]; ok {
				return v
			}
			return def
		},
		"isEnvSet":       func(name string) bool { return env[name] != "" },
		"map":            makeMap,
		"indexOrDefault": func(m map[string]string, k, def string) string { return cmp.Or(m[k], def) },
		"list":           func(s ...string) []string { return s },
		"readFile":       fail, "mustReadFile": fail,
	}
	for _, h := range []string{"blake2b", "blake2s", "blake3", "crc32", "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha3_224", "sha3_256", "sha3_384", "sha3_512"} {
		fm[h] = fail
	}
	return fm
}

// limitWriter fails writes past its limit.
type limitWriter struct {
	b     strings.Builder
	limit int
}

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.b.Len()+len(p) > w.limit {
		return 0, fmt.Errorf("renders more than %d bytes", w.limit)
	}
	return w.b.Write(p)
}

// render renders one GoReleaser template with data. Fields the template
// names that data lacks (a removed GoReleaser key, an unset .Env.X)
// render empty, each with a note; constructs that could run without bound
// (define/template/block, nested range) are refused.
func render(src string, data map[string]any, date time.Time) (out string, notes []string, err error) {
	if !strings.Contains(src, "{{") {
		return src, nil, nil
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("template failed: %v", r)
		}
	}()
	env, _ := data["Env"].(map[string]string)
	t, err := template.New("t").Option("missingkey=error").Funcs(funcs(date, env)).Parse(src)
	if err != nil {
		return "", nil, err
	}
	if len(t.Templates()) > 1 {
		return "", nil, fmt.Errorf("defines templates of its own, which kiln does not render")
	}
	data = maps.Clone(data)
	env = maps.Clone(env)
	data["Env"] = env
	w := walker{data: data, env: env}
	if err := w.node(t.Tree.Root, 0); err != nil {
		return "", nil, err
	}
	lw := &limitWriter{limit: maxOutput}
	if err := t.Execute(lw, data); err != nil {
		return "", w.notes, err
	}
	return lw.b.String(), w.notes, nil
}

// walker checks a template's tree before it runs, filling in missing
// fields.
type walker struct {
	data  map[string]any
	env   map[string]string
	notes []string
}

func (w *walker) node(n parse.Node, ranges int) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := w.node(c, ranges); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return w.node(n.Pipe, ranges)
	case *parse.PipeNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Cmds {
			if err := w.node(c, ranges); err != nil {
				return err
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			if err := w.node(a, ranges); err != nil {
				return err
			}
		}
	case *parse.IfNode:
		return w.branch(&n.BranchNode, ranges)
	case *parse.WithNode:
		return w.branch(&n.BranchNode, ranges)
	case *parse.RangeNode:
		if ranges > 0 {
			return fmt.Errorf("nests range loops, which kiln does not render")
		}
		if !boundedRange(n.Pipe) {
			return fmt.Errorf("ranges over something other than split, list or a field's list, which kiln does not render")
		}
		return w.branch(&n.BranchNode, ranges+1)
	case *parse.TemplateNode:
		return fmt.Errorf("calls a template, which kiln does not render")
	case *parse.FieldNode:
		w.field(n.Ident)
	case *parse.ChainNode:
		if err := w.node(n.Node, ranges); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) branch(b *parse.BranchNode, ranges int) error {
	for _, n := range []parse.Node{b.Pipe, b.List, b.ElseList} {
		if l, ok := n.(*parse.ListNode); ok && l == nil {
			continue
		}
		if err := w.node(n, ranges); err != nil {
			return err
		}
	}
	return nil
}

// field makes a referenced field exist: an unset .Env.X or an unknown
// top-level key renders empty, with a note.
func (w *walker) field(ident []string) {
	switch {
	case len(ident) == 0:
	case ident[0] == "Env" && len(ident) > 1:
		if _, ok := w.env[ident[1]]; !ok {
			w.env[ident[1]] = ""
			w.notes = append(w.notes, fmt.Sprintf(".Env.%s is not set; rendered empty (GoReleaser would stop here)", ident[1]))
		}
	default:
		if _, ok := w.data[ident[0]]; !ok {
			if len(ident) > 1 {
				w.data[ident[0]] = map[string]string{ident[1]: ""}
			} else {
				w.data[ident[0]] = ""
			}
			w.notes = append(w.notes, fmt.Sprintf(".%s is not a GoReleaser template field (removed, or never one); rendered empty", ident[0]))
		}
	}
}

// boundedRange reports whether a range pipeline is one whose length the
// input bounds: split or list calls, or a field (a list in the data).
func boundedRange(p *parse.PipeNode) bool {
	if p == nil || len(p.Cmds) == 0 {
		return false
	}
	last := p.Cmds[len(p.Cmds)-1]
	if len(last.Args) == 0 {
		return false
	}
	switch a := last.Args[0].(type) {
	case *parse.IdentifierNode:
		return slices.Contains([]string{"split", "list"}, a.Ident)
	case *parse.FieldNode:
		return len(a.Ident) > 0 && !slices.Contains([]string{"Major", "Minor", "Patch", "Timestamp", "CommitTimestamp"}, a.Ident[len(a.Ident)-1])
	}
	return false
}
