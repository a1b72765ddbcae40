//go:build unix

package outdir

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/pack/checksum"
)

// heldStaging holds a new output directory and opens a staging in it
// whose reports go to the returned list.
func heldStaging(t *testing.T) (*Held, *Staging, *[]string) {
	t.Helper()
	h, err := Dir{Path: t.TempDir()}.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Release)
	var mu sync.Mutex
	var told []string
	s, err := h.Staging("stage", func(a artifact.Artifact) {
		mu.Lock()
		told = append(told, a.Path)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Remove)
	if !strings.HasPrefix(s.dir, Prefix+"stage-") {
		t.Fatalf("staging directory %s", s.dir)
	}
	return h, s, &told
}

// stageFiles stages name=content files, concurrently: by path (as a tool
// writes them) and Add, or through Write.
func stageFiles(t *testing.T, s *Staging, files map[string]string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(files))
	i := 0
	for rel, data := range files {
		byPath := i%2 == 0
		i++
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := artifact.Artifact{Path: rel, Kind: artifact.Archive, Name: "tool"}
			if !byPath {
				errs <- s.Write(e, []byte(data))
				return
			}
			p := s.Path(rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				errs <- err
				return
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				errs <- err
				return
			}
			errs <- s.Add(e)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func gone(t *testing.T, dir string, rels ...string) {
	t.Helper()
	for _, rel := range rels {
		if _, err := os.Lstat(filepath.Join(dir, rel)); !os.IsNotExist(err) {
			t.Errorf("%s is in the output directory (%v), want it gone", rel, err)
		}
	}
}

// TestStaging: files added are described and reported, Commit moves them,
// the checksums file covers them and the files named besides, Put writes
// straight into the directory, and Save records the stage's entries in
// place of every entry but those that stay, removing an earlier release's
// unchanged files and nothing else.
func TestStaging(t *testing.T) {
	h, s, told := heldStaging(t)
	out := h.Path
	files := map[string]string{"a.tar.gz": "archive a", "p/b.zip": "archive b", "c.deb": "package c"}
	stageFiles(t, s, files)
	ents := s.Entries()
	if len(ents) != len(files) || len(*told) != len(files) {
		t.Fatalf("Entries = %v, told %v; want %d of each", ents, *told, len(files))
	}
	for _, a := range ents {
		sum, size, _ := checksum.Sum(strings.NewReader(files[a.Path]))
		if a.SHA256 != sum || a.Size != size {
			t.Errorf("entry %s = %s %d, want %s %d", a.Path, a.SHA256, a.Size, sum, size)
		}
	}
	os.MkdirAll(filepath.Join(out, "tool_linux_amd64"), 0o755)
	os.WriteFile(filepath.Join(out, "tool_linux_amd64", "tool"), []byte("binary"), 0o755)
	for rel, data := range map[string]string{"old.tar.gz": "earlier", "edited.tar.gz": "earlier", "a.tar.gz": "earlier"} {
		os.WriteFile(filepath.Join(out, rel), []byte(data), 0o644)
	}

	if err := s.Commit("sums.txt", "prov.json"); err != nil {
		t.Fatal(err)
	}
	for rel, data := range files {
		if got, err := os.ReadFile(filepath.Join(out, rel)); string(got) != data {
			t.Errorf("%s after Commit = %q, %v; want %q", rel, got, err, data)
		}
	}
	sums, err := s.Checksums(artifact.Artifact{Path: "sums.txt", Kind: artifact.Checksums, Name: "tool"}, []string{"tool_linux_amd64/tool"})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := checksum.Parse(readOut(t, out, "sums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range lines {
		names = append(names, l.Name)
	}
	if want := []string{"a.tar.gz", "c.deb", "p/b.zip", "tool_linux_amd64/tool"}; !slices.Equal(names, want) {
		t.Errorf("checksums list %v, want %v", names, want)
	}
	if sum, _, _ := checksum.Sum(bytes.NewReader(readOut(t, out, "sums.txt"))); sums.SHA256 != sum || slices.Contains(*told, "sums.txt") {
		t.Errorf("checksums entry %+v (file %s), told %v: want it described and not told", sums, sum, *told)
	}
	prov, err := s.Put(artifact.Artifact{Path: "prov.json", Kind: artifact.Provenance, Name: "tool"}, []byte("{}"))
	if err != nil || string(readOut(t, out, "prov.json")) != "{}" || prov.Size != 2 || !slices.Contains(*told, "prov.json") {
		t.Fatalf("Put = %+v, %v (told %v)", prov, err, *told)
	}

	earlier := func(rel, data string) artifact.Artifact {
		sum, size, _ := checksum.Sum(strings.NewReader(data))
		return artifact.Artifact{Path: rel, Kind: artifact.Archive, SHA256: sum, Size: size}
	}
	bin := earlier("tool_linux_amd64/tool", "binary")
	bin.Kind = artifact.Binary
	m := &artifact.Manifest{Artifacts: []artifact.Artifact{bin, earlier("old.tar.gz", "earlier"),
		earlier("edited.tar.gz", "before the user edited it"), earlier("a.tar.gz", "earlier")}}
	made := append(s.Entries(), sums, prov)
	if err := s.Save(m, made, func(a artifact.Artifact) bool { return a.Kind == artifact.Binary }); err != nil {
		t.Fatal(err)
	}
	saved, err := artifact.LoadIn(h.Root)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, a := range saved.Artifacts {
		paths = append(paths, a.Path)
	}
	slices.Sort(paths)
	if want := []string{"a.tar.gz", "c.deb", "p/b.zip", "prov.json", "sums.txt", "tool_linux_amd64/tool"}; !slices.Equal(paths, want) {
		t.Errorf("manifest after Save = %v, want %v", paths, want)
	}
	gone(t, out, "old.tar.gz")
	for rel, data := range map[string]string{"edited.tar.gz": "earlier", "a.tar.gz": "archive a", "tool_linux_amd64/tool": "binary"} {
		if got := readOut(t, out, rel); string(got) != data {
			t.Errorf("%s after Save = %q, want %q", rel, got, data)
		}
	}
}

func readOut(t *testing.T, out, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, rel))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestStagingFailures: a link where a later file goes refuses Commit
// before anything moves; a checksums file that cannot be written, a
// manifest that cannot be saved and Undo take back everything committed,
// what Put wrote and what Own names; Put never writes through a link.
func TestStagingFailures(t *testing.T) {
	files := map[string]string{"a.tar.gz": "archive a", "p/b.zip": "archive b"}
	committed := func(t *testing.T) (*Held, *Staging) {
		h, s, _ := heldStaging(t)
		stageFiles(t, s, files)
		if err := s.Commit("sums.txt"); err != nil {
			t.Fatal(err)
		}
		return h, s
	}
	sumsEntry := artifact.Artifact{Path: "sums.txt", Kind: artifact.Checksums}

	t.Run("commit refused", func(t *testing.T) {
		h, s, _ := heldStaging(t)
		stageFiles(t, s, files)
		victim := filepath.Join(t.TempDir(), "victim")
		os.Symlink(victim, filepath.Join(h.Path, "sums.txt"))
		if err := s.Commit("sums.txt"); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Commit with a link at a later file = %v, want a refusal", err)
		}
		gone(t, h.Path, "a.tar.gz", "p/b.zip")
		gone(t, filepath.Dir(victim), "victim")
	})
	t.Run("checksums", func(t *testing.T) {
		h, s := committed(t)
		_, err := s.Checksums(sumsEntry, []string{"missing"})
		if err == nil || !strings.HasPrefix(err.Error(), "checksums: ") {
			t.Errorf("Checksums over a missing file = %v, want a checksums error", err)
		}
		gone(t, h.Path, "a.tar.gz", "p/b.zip", "sums.txt")
	})
	t.Run("save", func(t *testing.T) {
		h, s := committed(t)
		sums, err := s.Checksums(sumsEntry, nil)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(h.Path, "sig"), []byte("bundle"), 0o644)
		s.Own("sig")
		os.Mkdir(filepath.Join(h.Path, artifact.FileName), 0o755) // the manifest cannot replace a directory
		err = s.Save(&artifact.Manifest{}, append(s.Entries(), sums), func(artifact.Artifact) bool { return false })
		if err == nil || !strings.Contains(err.Error(), "save manifest") {
			t.Errorf("Save over a directory = %v, want a save manifest error", err)
		}
		gone(t, h.Path, "a.tar.gz", "p/b.zip", "sums.txt", "sig")
	})
	t.Run("put and undo", func(t *testing.T) {
		h, s := committed(t)
		outside := t.TempDir()
		victim := filepath.Join(outside, "victim")
		os.WriteFile(victim, []byte("the user's"), 0o644)
		os.Symlink(victim, filepath.Join(h.Path, "linked.json"))
		if _, err := s.Put(artifact.Artifact{Path: "linked.json"}, []byte("{}")); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("Put over a link = %v, want a refusal", err)
		}
		if data, _ := os.ReadFile(victim); string(data) != "the user's" {
			t.Errorf("Put wrote through a link: %q", data)
		}
		if _, err := s.Put(artifact.Artifact{Path: "prov.json"}, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		s.Undo()
		gone(t, h.Path, "a.tar.gz", "p/b.zip", "prov.json")
	})
}
