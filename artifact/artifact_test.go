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

// TestPutBuilt: a binary built again keeps the verify result of the entry
// it replaces only when it claims the same build; any difference of
// bytes, identity or platform drops it.
func TestPutBuilt(t *testing.T) {
	verified := &VerifyResult{OK: true, Format: "elf"}
	old := Artifact{Path: "tool_linux_amd64/tool", Kind: Binary, Name: "tool", OS: "linux", Arch: "amd64", Size: 5, SHA256: "ab",
		Main: "example.com/tool", Version: "v1.0.0", Commit: strings.Repeat("a", 40), Key: "k1", Stamped: "-X main.version"}
	for _, tt := range []struct {
		name   string
		change func(*Artifact)
		keeps  bool
	}{
		{"same build", func(*Artifact) {}, true},
		{"same build, other linkage facts", func(a *Artifact) { a.Stamped, a.Args = "build info", []string{"-trimpath"} }, true},
		{"other bytes", func(a *Artifact) { a.SHA256 = "cd" }, false},
		{"other size", func(a *Artifact) { a.Size = 6 }, false},
		{"other name", func(a *Artifact) { a.Name = "tool2" }, false},
		{"other main package", func(a *Artifact) { a.Main = "example.com/other" }, false},
		{"other version", func(a *Artifact) { a.Version = "v1.0.1" }, false},
		{"other commit", func(a *Artifact) { a.Commit = strings.Repeat("b", 40) }, false},
		{"other key", func(a *Artifact) { a.Key = "k2" }, false},
		{"other platform", func(a *Artifact) { a.Variant = "v2" }, false},
	} {
		was := old
		was.Verify = verified
		m := &Manifest{Artifacts: []Artifact{{Path: "other", Kind: Archive}, was}}
		a := old
		tt.change(&a)
		if got := old.SameBuild(a); got != tt.keeps {
			t.Errorf("%s: SameBuild = %v, want %v", tt.name, got, tt.keeps)
		}
		m.PutBuilt(a)
		if len(m.Artifacts) != 2 || m.Artifacts[1].Path != old.Path || m.Artifacts[1].Name != a.Name {
			t.Fatalf("%s: PutBuilt did not replace the entry: %+v", tt.name, m.Artifacts)
		}
		if kept := m.Artifacts[1].Verify == verified; kept != tt.keeps {
			t.Errorf("%s: PutBuilt kept the verify result: %v, want %v", tt.name, kept, tt.keeps)
		}
	}
	m := &Manifest{Artifacts: []Artifact{old}}
	m.PutBuilt(Artifact{Path: "tool_linux_arm64/tool", Kind: Binary})
	if len(m.Artifacts) != 2 || m.Artifacts[1].Verify != nil {
		t.Errorf("PutBuilt of a new path = %+v, want it appended without a verify result", m.Artifacts)
	}
	unverified := &Manifest{Artifacts: []Artifact{old}}
	unverified.PutBuilt(old)
	if unverified.Artifacts[0].Verify != nil {
		t.Errorf("PutBuilt over an unverified entry = %+v, want no verify result", unverified.Artifacts[0])
	}
}
