package universal_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/universal"
)

// TestBinary: a binary's darwin builds in a manifest are joined once, into
// an entry that carries what both share; an unchanged second join writes
// nothing; builds that are missing, not current or changed after they were
// recorded are not joined, each saying why.
func TestBinary(t *testing.T) {
	amd64, arm64 := darwin(t)
	dir := t.TempDir()
	b := universal.Binary{
		Name: "tool",
		Path: func(pl matrix.Platform) string { return "p_" + pl.OS + "_" + pl.Arch + "/tool" },
		Current: func(a artifact.Artifact) string {
			if a.Version != "v1.0.0" {
				return "built at version " + a.Version + ", not v1.0.0"
			}
			return ""
		},
	}
	m := &artifact.Manifest{}
	if _, why := b.Parts(m); why != "tool darwin/amd64 is not built" {
		t.Errorf("Parts of an empty manifest: %q, want the missing build named", why)
	}
	record := func(arch, src string, tags ...string) artifact.Artifact {
		t.Helper()
		return put(t, dir, m, src, artifact.Artifact{Path: b.Path(matrix.Platform{OS: "darwin", Arch: arch}), Kind: artifact.Binary, Name: "tool", OS: "darwin", Arch: arch,
			Main: "example.com/hello", Version: "v1.0.0", Commit: "abc", Static: true, Cgo: arch == "arm64", Tags: tags})
	}
	amdEntry := record("amd64", amd64, "netgo", "osusergo")
	armEntry := record("arm64", arm64, "osusergo")
	old := armEntry
	old.Version = "v0.9.0"
	m.Put(old)
	if _, why := b.Parts(m); why != "tool darwin/arm64: built at version v0.9.0, not v1.0.0" {
		t.Errorf("Parts with an old arm64 build: %q, want it named with the reason", why)
	}
	m.Put(armEntry)
	parts, why := b.Parts(m)
	if why != "" || !reflect.DeepEqual(parts, []artifact.Artifact{amdEntry, armEntry}) {
		t.Fatalf("Parts = %v, %q; want the two builds in platform order", parts, why)
	}

	a, joined, err := b.Join(dir, m, parts)
	if err != nil || !joined {
		t.Fatalf("Join = %v, joined %v", err, joined)
	}
	var want bytes.Buffer
	if _, err := universal.Join(&want, read(t, amd64), read(t, arm64)); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(dir, "p_darwin_universal", "tool")); !bytes.Equal(got, want.Bytes()) {
		t.Error("the universal file is not the join of the two builds")
	}
	if a.Path != "p_darwin_universal/tool" || a.Kind != artifact.Universal || a.Name != "tool" || a.Platform() != universal.Platform ||
		a.Main != "example.com/hello" || a.Version != "v1.0.0" || a.Commit != "abc" || !a.Static || a.Cgo ||
		!reflect.DeepEqual(a.Tags, []string{"osusergo"}) || a.Key == "" || a.Size != int64(want.Len()) {
		t.Errorf("the universal entry = %+v, want what both builds share", a)
	}
	if _, ok := b.Joined(m); ok {
		t.Error("Joined found a universal binary before the manifest recorded it")
	}
	m.Put(a)
	if got, ok := b.Joined(m); !ok || got.Key != a.Key {
		t.Errorf("Joined = %+v, %v; want the recorded entry", got, ok)
	}
	if _, why := b.Joins(m, a); why != "" {
		t.Errorf("Joins of the entry just joined: %q", why)
	}
	again, joined, err := b.Join(dir, m, parts)
	if err != nil || joined || !reflect.DeepEqual(again, a) {
		t.Errorf("a second Join = %+v, joined %v, %v; want the entry unchanged, nothing written", again, joined, err)
	}

	other := a
	other.Key = strings.Repeat("0", 64)
	if _, why := b.Joins(m, other); !strings.Contains(why, "joins other builds of darwin/amd64 and darwin/arm64") {
		t.Errorf("Joins of an entry joining other builds: %q", why)
	}
	if err := os.WriteFile(filepath.Join(dir, amdEntry.Path), read(t, arm64), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, a.Path)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Join(dir, m, parts); err == nil || !strings.Contains(err.Error(), "p_darwin_amd64/tool: sha256") || !strings.Contains(err.Error(), "the file changed after it was built") {
		t.Errorf("Join of a build changed after it was recorded = %v, want it refused", err)
	}
	if _, err := os.Stat(filepath.Join(dir, a.Path)); err == nil {
		t.Error("a refused Join wrote the universal file")
	}
	m.Put(artifact.Artifact{Path: a.Path, Kind: artifact.Binary})
	if _, ok := b.Joined(m); ok {
		t.Error("Joined took a thin binary's entry for the universal one")
	}
}

// put writes the file src as a's file in dir and records it in m.
func put(t *testing.T, dir string, m *artifact.Manifest, src string, a artifact.Artifact) artifact.Artifact {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(a.Path)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, a.Path), read(t, src), 0o755); err != nil {
		t.Fatal(err)
	}
	a, err := artifact.Describe(dir, a)
	if err != nil {
		t.Fatal(err)
	}
	m.Put(a)
	return a
}
