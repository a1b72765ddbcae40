package artifact

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestManifest(t *testing.T) {
	dir := t.TempDir()
	m, err := Load(dir)
	if err != nil || len(m.Artifacts) != 0 {
		t.Fatalf("Load(empty dir) = %+v, %v; want an empty manifest", m, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.bin"), []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Describe(dir, Artifact{Path: "b.bin", Kind: Binary, OS: "linux", Arch: "arm", Variant: "7"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != 5 || a.SHA256 != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" {
		t.Errorf("Describe = %+v", a)
	}
	if a.Platform().String() != "linux/arm/7" {
		t.Errorf("Platform() = %v", a.Platform())
	}
	m.Put(a)
	m.Put(Artifact{Path: "a.tar.gz", Kind: Archive, OS: "linux"})
	m.Put(Artifact{Path: "b.bin", Kind: Binary, OS: "linux", Arch: "arm", Variant: "7", Size: 5, SHA256: a.SHA256, Cgo: true})
	if len(m.Artifacts) != 2 {
		t.Fatalf("Put of an existing path added an entry: %+v", m.Artifacts)
	}
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if back.Artifacts[0].Path != "a.tar.gz" || !back.Artifacts[1].Cgo {
		t.Errorf("saved manifest is not sorted by path or lost the replacement: %+v", back.Artifacts)
	}
	if got := back.Filter(ByKind(Binary), ByOS("linux")); len(got) != 1 || got[0].Path != "b.bin" {
		t.Errorf("Filter(binary, linux) = %+v", got)
	}
	if got := back.Filter(ByKind(Deb)); got != nil {
		t.Errorf("Filter(deb) = %+v, want none", got)
	}
	back.Remove(func(a Artifact) bool { return a.Kind == Archive })
	if !reflect.DeepEqual(back.Filter(), back.Artifacts) || len(back.Artifacts) != 1 {
		t.Errorf("after Remove: %+v", back.Artifacts)
	}
	if _, err := Describe(dir, Artifact{Path: "missing"}); err == nil {
		t.Error("Describe of a missing file succeeded")
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), FileName) {
		t.Errorf("Load of a corrupt manifest = %v, want an error naming it", err)
	}
}

// TestLoadRefusesCommits is issue 16's case 5 at its source: a manifest
// whose commit is not a full object name ("--pathspec-from-file=...", an
// abbreviation, a ref) is refused when it is read, naming the value.
func TestLoadRefusesCommits(t *testing.T) {
	good := strings.Repeat("0123456789abcdef", 4)[:40]
	for _, tt := range []struct {
		manifest, want string
	}{
		{`{"commit":"--pathspec-from-file=/etc/shadow","artifacts":[]}`, `commit "--pathspec-from-file=/etc/shadow" is not a full git object name`},
		{`{"commit":"HEAD","artifacts":[]}`, `commit "HEAD" is not`},
		{`{"commit":"` + good[:12] + `","artifacts":[]}`, `is not a full git object name`},
		{`{"commit":"` + good + `","artifacts":[{"path":"a","kind":"binary","commit":"-c"}]}`, `entry 0 (a): commit "-c" is not`},
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(tt.manifest), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "mage clean") {
			t.Errorf("Load(%s) = %v, want an error saying %q", tt.manifest, err, tt.want)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(`{"commit":"`+good+`","artifacts":[{"path":"a","kind":"binary","commit":"`+good+`"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if m, err := Load(dir); err != nil || m.Commit != good {
		t.Errorf("Load(full commit) = %v, %v", m, err)
	}
}

// TestBuilt: the build stage's kinds are built, every other kind is not.
func TestBuilt(t *testing.T) {
	for k, want := range map[Kind]bool{Binary: true, Universal: true, Archive: false, Checksums: false, SBOM: false, Signature: false} {
		if got := (Artifact{Kind: k}).Built(); got != want {
			t.Errorf("Artifact{Kind: %s}.Built() = %v, want %v", k, got, want)
		}
	}
}
