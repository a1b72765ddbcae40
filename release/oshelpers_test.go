package release

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runS resolves the plan of settings s for dir with env (KEY=VALUE, over
// KILN_JOBS=2) and runs stage.
func runS(t *testing.T, dir string, s Settings, env []string, stage func(*Plan, context.Context) error) (string, error) {
	t.Helper()
	vars := map[string]string{"KILN_JOBS": "2", "CI": os.Getenv("CI")}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var out bytes.Buffer
	p, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&out), WithEnv(func(k string) string { return vars[k] }))
	if err != nil {
		return out.String(), err
	}
	err = stage(p, context.Background())
	return out.String(), err
}

// mustRunS is runS that fails the test on an error.
func mustRunS(t *testing.T, dir string, s Settings, env []string, stage func(*Plan, context.Context) error) string {
	t.Helper()
	out, err := runS(t, dir, s, env, stage)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}

// distFiles returns the bytes of every file of the release in dist (not
// the manifest, which records verify's times, nor hidden files).
func distFiles(t *testing.T, dist string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dist, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || d.Name() == "artifacts.json" {
			return err
		}
		rel, _ := filepath.Rel(dist, path)
		files[filepath.ToSlash(rel)], err = os.ReadFile(path)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameFiles fails unless two releases hold the same files, byte for byte.
func sameFiles(t *testing.T, first, second map[string][]byte) {
	t.Helper()
	for name, data := range first {
		if !bytes.Equal(second[name], data) {
			t.Errorf("%s differs between two clean runs", name)
		}
	}
	for name := range second {
		if _, ok := first[name]; !ok {
			t.Errorf("%s appeared only in the second run", name)
		}
	}
}

// modTimes returns the modification time of every file under dir.
func modTimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	times := map[string]time.Time{}
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				times[path] = fi.ModTime()
			}
		}
		return nil
	})
	return times
}
