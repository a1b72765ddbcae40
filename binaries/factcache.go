package binaries

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/internal/self"
	"github.com/kiln-build/kiln/project"
)

// The facts cache keeps what package project read of a program's
// identity, which type-checks its packages (20–180 ms on real modules):
// a no-op crossall then only stats the files it was read from. An entry
// holds while every package directory it read lists the same Go files with
// the same sizes and modification times. It lives beside the engine's
// plan cache (Input.FactsDir).

// factsSchema changes whenever what package project decides, or this
// file's format, changes: old entries are then never read.
const factsSchema = "kiln-facts-2"

// factEntry is one cached identity.
type factEntry struct {
	Key      string           `json:"key"`
	Identity project.Identity `json:"identity"`
	Dirs     []dirFiles       `json:"dirs"`
}

// dirFiles are the Go files and go.mod of a package directory.
type dirFiles struct {
	Path  string     `json:"path"`
	Files []fileStat `json:"files"`
}

type fileStat struct {
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
}

// identity returns project's Identity of a main package under o, from the
// cache when nothing it was read from changed.
func (r *resolver) identity(main string, o project.Options) (project.Identity, error) {
	dir := r.in.FactsDir
	spec, _ := json.Marshal(struct {
		Schema, Kiln, Dir, Module, Main string
		Options                         project.Options
	}{factsSchema, self.Version(), r.mod.Dir, r.mod.Path, main, o})
	sum := sha256.Sum256(spec)
	key := hex.EncodeToString(sum[:])
	file := filepath.Join(dir, key+".json")
	if dir != "" {
		var e factEntry
		if data, err := os.ReadFile(file); err == nil && json.Unmarshal(data, &e) == nil && e.Key == key && unchangedDirs(e.Dirs) {
			return e.Identity, nil
		}
	}
	id, err := r.mod.Identity(main, o)
	if err != nil || dir == "" {
		return id, err
	}
	e := factEntry{Key: key, Identity: id}
	for _, rel := range id.Packages {
		e.Dirs = append(e.Dirs, dirFiles{Path: filepath.Join(r.mod.Dir, filepath.FromSlash(rel)), Files: goFiles(filepath.Join(r.mod.Dir, filepath.FromSlash(rel)))})
	}
	if data, err := json.Marshal(e); err == nil {
		_ = atomicfile.WriteFile(file, data, 0o644) // a cache: a failed write only costs time
	}
	// Entries of old sources and settings are never asked for again.
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		if fi, err := ent.Info(); err == nil && time.Since(fi.ModTime()) > 30*24*time.Hour {
			os.Remove(filepath.Join(dir, ent.Name()))
		}
	}
	return id, nil
}

// goFiles lists the non-test Go files and the go.mod of dir, sorted.
func goFiles(dir string) []fileStat {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []fileStat
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !(n == "go.mod" || strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go")) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return nil
		}
		out = append(out, fileStat{Name: n, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()})
	}
	return out
}

// unchangedDirs reports whether every directory lists the same files,
// unchanged.
func unchangedDirs(dirs []dirFiles) bool {
	for _, d := range dirs {
		if !slices.Equal(goFiles(d.Path), d.Files) {
			return false
		}
	}
	return len(dirs) > 0
}

// FactsDir is the facts cache's directory for an engine plan cache
// (gobuild.WithCacheDir): beside it, by default $XDG_CACHE_HOME/kiln/facts;
// "" for none.
func FactsDir(planCache string) string {
	if planCache != "" {
		return filepath.Join(planCache, "facts")
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "kiln", "facts")
	}
	return ""
}
