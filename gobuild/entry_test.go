package gobuild_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/gobuild"
)

// TestEntry: every file a build wrote by path is one of its Writes, and
// the manifest entry of a build describes its output (sha256 and size as
// read back from the file), its platform, its stamp and what the engine
// ran, with the facts the caller passes.
func TestEntry(t *testing.T) {
	r := sharedResult(t, "linux/amd64")
	writes := r.Spec.Writes()
	if !slices.Equal(writes, []string{r.Spec.Out, gobuild.StampPath(r.Spec.Out)}) {
		t.Errorf("Writes = %q, want the output and its stamp", writes)
	}
	ents, err := os.ReadDir(filepath.Dir(r.Spec.Out))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if p := filepath.Join(filepath.Dir(r.Spec.Out), e.Name()); !slices.Contains(writes, p) {
			t.Errorf("the build wrote %s, which Writes = %q does not name", p, writes)
		}
	}

	facts := gobuild.EntryFacts{Main: "example.com/tool", Stamped: "-X main.version", CgoDecision: "off (KILN_CGO)"}
	rel := "sample-app_linux_amd64/sample-app"
	a := r.Entry(rel, facts)
	got, err := artifact.Describe(filepath.Dir(filepath.Dir(r.Spec.Out)), a)
	if err != nil {
		t.Fatal(err)
	}
	if a.SHA256 != got.SHA256 || a.Size != got.Size || a.SHA256 == "" {
		t.Errorf("Entry's sha256 and size = %s %d, the file's %s %d", a.SHA256, a.Size, got.SHA256, got.Size)
	}
	if a.Path != rel || a.Kind != artifact.Binary || a.Name != "sample-app" || a.Platform() != r.Spec.Platform {
		t.Errorf("Entry = %s %s %s %s, want %s binary sample-app linux/amd64", a.Path, a.Kind, a.Name, a.Platform(), rel)
	}
	if a.Version != testStamp.Version || a.Commit != testStamp.Commit || a.Key != r.Key || a.Key == "" {
		t.Errorf("Entry's identity = %s %s %s, want %s %s %s", a.Version, a.Commit, a.Key, testStamp.Version, testStamp.Commit, r.Key)
	}
	if a.Main != facts.Main || a.Stamped != facts.Stamped || a.CgoDecision != facts.CgoDecision {
		t.Errorf("Entry's facts = %q %q %q, want %+v", a.Main, a.Stamped, a.CgoDecision, facts)
	}
	if a.Cgo != r.Cgo || a.Static != r.Static || !a.Static || !slices.Equal(a.Args, r.Args) || len(a.Args) == 0 ||
		!slices.Equal(a.Env, r.Env) || len(a.Env) == 0 || !slices.Equal(a.Tags, r.Tags) || a.VCS || a.Verify != nil {
		t.Errorf("Entry's linkage and run = %+v, want the result's %+v, no VCS stamping, no verify result", a, r)
	}
	vcs := r
	vcs.Spec.VCS = &gobuild.VCS{Revision: testStamp.Commit, Tag: "v1.2.3"}
	if !vcs.Entry(rel, facts).VCS {
		t.Error("Entry of a build with VCS stamping on records VCS false")
	}
}
