package release

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/gitinfo"
)

// The evidence states only what is true: these tests change the tree
// under a release and check what its provenance and refusals say.

// TestForcedVersionKeepsDirty: a version set by KILN_VERSION or
// Config.Version changes the version, never the tree state: a tree with
// uncommitted changes is still dirty, so CI refuses to package it (listing
// the changes) and a package outside CI writes no provenance.
func TestForcedVersionKeepsDirty(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    func() Settings
		env  []string
	}{
		{"KILN_VERSION", testSettings, []string{"KILN_VERSION=2.0.0"}},
		{"Config.Version", func() Settings { s := testSettings(); s.Version = "2.0.0"; return s }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testModule(t)
			gitRepo(t, dir)
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(toolMain+"\n// changed\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			env := append([]string{"KILN_MATRIX=linux/amd64"}, tc.env...)
			ci := append([]string{"CI=true"}, env...)
			stages := func(env []string, stage func(*Plan, context.Context) error) (string, error) {
				return runWith(t, dir, tc.s(), env, stage)
			}
			out, err := stages(ci, (*Plan).Build)
			if err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
			if !strings.Contains(out, "uncommitted changes") {
				t.Errorf("a dirty build with a set version says nothing of the changes:\n%s", out)
			}
			if out, err := stages(ci, (*Plan).Verify); err != nil {
				t.Fatalf("verify: %v\n%s", err, out)
			}
			out, err = stages(ci, (*Plan).Package)
			if err == nil || !strings.Contains(err.Error(), "uncommitted change") || !strings.Contains(err.Error(), "modified: main.go") ||
				!strings.Contains(err.Error(), "KILN_ALLOW_DIRTY") {
				t.Fatalf("package of a dirty tree in CI with %s = %v, want a refusal listing main.go\n%s", tc.name, err, out)
			}
			assertNoRelease(t, dir)

			out, err = stages(env, (*Plan).Package)
			if err != nil {
				t.Fatalf("package outside CI: %v\n%s", err, out)
			}
			m, err := artifact.Load(filepath.Join(dir, "dist"))
			if err != nil {
				t.Fatal(err)
			}
			if prov := m.Filter(artifact.ByKind(artifact.Provenance)); len(prov) != 0 || !strings.Contains(out, "provenance: not written: the work tree has uncommitted changes") {
				t.Errorf("package of a dirty tree with %s wrote provenance %+v\n%s", tc.name, prov, out)
			}
			if m.Version != "v2.0.0" {
				t.Errorf("manifest version %s, want the set v2.0.0", m.Version)
			}
		})
	}
}

// TestLocalSourcesInProvenance: a go.work in a parent directory that
// puts a local fork in place of a dependency (or a go.mod replace to a
// directory outside the repository) reaches the build; the provenance
// records it (path relative to the module, content digest) and states
// that the release cannot be rebuilt from the commit alone, and package
// says so.
func TestLocalSourcesInProvenance(t *testing.T) {
	t.Setenv("GOWORK", "")
	main := "package main\n\nimport \"example.com/dep\"\n\nvar version = \"dev\"\n\nfunc main() { println(dep.Name, version) }\n"
	fork := map[string]string{"fork/go.mod": "module example.com/dep\n\ngo 1.22\n", "fork/dep.go": "package dep\n\nconst Name = \"the local fork\"\n"}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // in the provenance's localSources
	}{
		{"go.work", map[string]string{
			"go.work":     "go 1.22\n\nuse ./tool\n\nreplace example.com/dep v1.0.0 => ./fork\n",
			"tool/go.mod": "module example.com/tool\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n",
		}, []string{`"goWork": "../go.work"`, `"goWorkDigest": "sha256:`, `"from": "go.work replace"`, `"path": "../fork"`}},
		{"go.mod replace", map[string]string{
			"tool/go.mod": "module example.com/tool\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n\nreplace example.com/dep => ../fork\n",
		}, []string{`"from": "go.mod replace"`, `"path": "../fork"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			files := map[string]string{"tool/main.go": main}
			for _, m := range []map[string]string{fork, tc.files} {
				for k, v := range m {
					files[k] = v
				}
			}
			for name, data := range files {
				p := filepath.Join(base, filepath.FromSlash(name))
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			dir := filepath.Join(base, "tool")
			gitRepo(t, dir)
			env := []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=1.0.0"}
			mustRun(t, dir, env, (*Plan).Build)
			mustRun(t, dir, env, (*Plan).Verify)
			out := mustRun(t, dir, env, (*Plan).Package)
			prov := string(readDist(t, dir, "tool_1.0.0.intoto.json"))
			digest, err := gitinfo.DirDigest(filepath.Join(base, "fork"))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range append(tc.want, `"localSources"`, `"module": "example.com/dep"`, `"digest": "`+digest+`"`, `"reproducibleFromCommit": false`) {
				if !strings.Contains(prov, want) {
					t.Errorf("the provenance lacks %s:\n%s", want, prov)
				}
			}
			if !strings.Contains(out, "not reproducible from the commit alone") || !strings.Contains(out, "../fork") {
				t.Errorf("package did not say the release needs sources outside the commit:\n%s", out)
			}
		})
	}
}
