package outdir

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestClaimConcurrent: runs that claim one new output directory at the
// same moment (shards of one machine) all take it. One run's marker and
// ignore file can appear between another's ownership check and its look
// at the directory's entries; that is kiln's directory, not a stranger's.
func TestClaimConcurrent(t *testing.T) {
	mod := t.TempDir()
	d := Dir{Module: mod, Path: Abs(mod, "dist")}
	const runs, rounds = 4, 300
	for round := range rounds {
		if err := os.RemoveAll(d.Path); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, runs)
		var wg sync.WaitGroup
		for i := range runs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := d.Claim()
				if err == nil {
					r.Close()
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, run %d: %v", round, i, err)
			}
		}
	}
	// A stranger's file still refuses a directory without the marker.
	if err := os.RemoveAll(d.Path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.Path, IgnoreName), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Claim(); err == nil {
		t.Fatalf("Claim took a directory holding a file kiln did not write")
	}
}
