package release

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
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
