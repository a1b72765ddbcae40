package releasetest

import (
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
)

// WriteManifest writes m as dist's manifest, unchecked (a test's forgery).
func WriteManifest(t *testing.T, dist string, m artifact.Manifest) {
	t.Helper()
	data, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dist, artifact.FileName), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FindPath is the manifest's entry at path.
func FindPath(m *artifact.Manifest, path string) (artifact.Artifact, bool) {
	for _, a := range m.Artifacts {
		if a.Path == path {
			return a, true
		}
	}
	return artifact.Artifact{}, false
}

// Snapshot records every file under dir: its bytes and mode (links:
// their target), to prove that nothing outside the output directory was
// written.
func Snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			files[rel] = "link " + target
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			files[rel] = fi.Mode().String() + " " + string(data)
		default:
			files[rel] = fi.Mode().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// AssertSame fails when dir's files differ from before (a Snapshot).
func AssertSame(t *testing.T, what, dir string, before map[string]string) {
	t.Helper()
	after := Snapshot(t, dir)
	if !maps.Equal(before, after) {
		var changed []string
		for k := range maps.Keys(after) {
			if before[k] != after[k] {
				changed = append(changed, k)
			}
		}
		for k := range maps.Keys(before) {
			if _, ok := after[k]; !ok {
				changed = append(changed, k+" (removed)")
			}
		}
		slices.Sort(changed)
		t.Errorf("%s changed files it must not touch in %s: %s", what, dir, strings.Join(changed, ", "))
	}
}
