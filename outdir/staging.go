package outdir

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"sync"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/pack/checksum"
)

// Staging is one stage's new files on their way into the output
// directory: written into a staging directory (Stage) and recorded with
// their size and sha256 (Add, Write), then moved into place at once
// (Commit), followed by the checksums file over them (Checksums), the
// files written straight into the directory (Put) and the manifest
// (Save). Until Save succeeds, Undo takes back everything that moved.
// Add and Write may be called concurrently.
type Staging struct {
	h *Held
	// dir is the staging directory relative to the output directory, for
	// the writes through the Root; path is its path, for the tools that
	// write by path into it.
	dir, path string
	wrote     func(artifact.Artifact)

	mu   sync.Mutex
	made []artifact.Artifact // relative to the output directory
	// moved are the files in the output directory Undo removes.
	moved []string
}

// Staging makes a new staging directory for a stage (what, as for Stage);
// wrote is told of each file added (nil: nobody). The caller calls Remove
// when the stage ends.
func (h *Held) Staging(what string, wrote func(artifact.Artifact)) (*Staging, error) {
	dir, err := h.Stage(what)
	if err != nil {
		return nil, err
	}
	if wrote == nil {
		wrote = func(artifact.Artifact) {}
	}
	return &Staging{h: h, dir: dir, path: h.Root.Path(dir), wrote: wrote}, nil
}

// Remove removes the staging directory and whatever is still in it.
func (s *Staging) Remove() { s.h.Root.RemoveAll(s.dir) }

// Path is where a tool that writes by path writes the staged file rel
// (slash-separated); Path("") is the staging directory.
func (s *Staging) Path(rel string) string { return filepath.Join(s.path, rel) }

// Add records the staged file of entry e (at e.Path below the staging
// directory) with its size and sha256, and tells wrote.
func (s *Staging) Add(e artifact.Artifact) error {
	a, err := artifact.Describe(s.path, e)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.made = append(s.made, a)
	s.wrote(a)
	return nil
}

// Write stages data as the file of entry e (mode 0644) and adds it.
func (s *Staging) Write(e artifact.Artifact, data []byte) error {
	if err := s.h.Root.WriteFileAtomic(path.Join(s.dir, e.Path), data, 0o644); err != nil {
		return err
	}
	return s.Add(e)
}

// Entries are the entries of the files added, in the order they were.
func (s *Staging) Entries() []artifact.Artifact {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.made)
}

// Commit moves every file added into the output directory (Held.Commit).
// Their destinations and later, the files the caller writes after them
// (the checksums file, a provenance statement), are checked first
// (Held.Check): a refusal moves nothing.
func (s *Staging) Commit(later ...string) error {
	names := s.names()
	if err := s.h.Check(append(slices.Clone(names), later...)...); err != nil {
		return err
	}
	moved, err := s.h.Commit(s.dir, names)
	if err != nil {
		return err
	}
	s.moved = append(s.moved, moved...)
	return nil
}

// names are the paths of the files added.
func (s *Staging) names() []string {
	names := make([]string, 0, len(s.made))
	for _, a := range s.Entries() {
		names = append(names, a.Path)
	}
	return names
}

// Undo removes every file Commit, Checksums and Put placed in the output
// directory, and those Own names.
func (s *Staging) Undo() {
	s.h.Undo(s.moved)
	s.moved = nil
}

// Own makes files the caller wrote into the output directory (rels) part
// of what Undo removes.
func (s *Staging) Own(rels ...string) { s.moved = append(s.moved, rels...) }

// Checksums writes the checksums file of entry e (at e.Path) after
// Commit: over the files committed and also (files already in the output
// directory, such as the binaries shipped), sorted. It moves it into place
// and returns its entry, described (and not told to wrote). On a failure
// it takes back everything committed (Undo).
func (s *Staging) Checksums(e artifact.Artifact, also []string) (artifact.Artifact, error) {
	names := append(s.names(), also...)
	slices.Sort(names)
	if err := checksum.Write(s.Path(e.Path), s.h.Path, names); err != nil {
		return e, s.undo(fmt.Errorf("checksums: %w", err))
	}
	more, err := s.h.Commit(s.dir, []string{e.Path})
	if err != nil {
		return e, s.undo(fmt.Errorf("checksums: %w", err))
	}
	s.moved = append(s.moved, more...)
	a, err := artifact.Describe(s.h.Path, e)
	if err != nil {
		return e, s.undo(err)
	}
	return a, nil
}

// Put writes data straight into the output directory as the file of
// entry e (mode 0644), once it is checked (Held.Replaceable), and returns
// its entry, described and told to wrote; Undo removes it. A file it
// cannot describe is removed.
func (s *Staging) Put(e artifact.Artifact, data []byte) (artifact.Artifact, error) {
	if err := s.h.Replaceable(e.Path); err != nil {
		return e, err
	}
	if err := s.h.Root.WriteFileAtomic(e.Path, data, 0o644); err != nil {
		return e, err
	}
	a, err := artifact.Describe(s.h.Path, e)
	if err != nil {
		s.h.Root.Remove(e.Path)
		return e, err
	}
	s.wrote(a)
	s.Own(a.Path)
	return a, nil
}

// Save records made, the stage's entries, in the manifest m in place of
// every entry but those stays keeps, and saves it. The files of the
// entries it drops are removed when they are unchanged (the sha256 m
// records) and made does not name them: an earlier release's files, which
// kiln wrote. On a failure it takes back everything committed (Undo).
func (s *Staging) Save(m *artifact.Manifest, made []artifact.Artifact, stays func(artifact.Artifact) bool) error {
	keep := map[string]bool{}
	for _, a := range made {
		keep[a.Path] = true
	}
	var stale []string
	m.Remove(func(a artifact.Artifact) bool {
		if stays(a) || keep[a.Path] {
			return !stays(a)
		}
		// An earlier release's file: kiln's to remove when it is unchanged.
		if got, err := artifact.Describe(s.h.Path, a); err == nil && got.SHA256 == a.SHA256 {
			stale = append(stale, a.Path)
		}
		return true
	})
	for _, a := range made {
		m.Put(a)
	}
	if err := m.SaveIn(s.h.Root); err != nil {
		return s.undo(errors.Join(errors.New("save manifest"), err))
	}
	for _, rel := range stale {
		s.h.Root.Remove(rel)
	}
	return nil
}

// undo is Undo returning err.
func (s *Staging) undo(err error) error {
	s.Undo()
	return err
}
