package gobuild

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kiln-build/kiln/internal/atomicfile"
)

// stamp is what the engine records beside an output: the key of its
// inputs, and enough to tell cheaply that nothing changed since.
//
// Two levels, like make and ninja: Quick hashes the spec and the go
// command's settings, and Inputs records the size and modification time of
// every source file, package directory and go.mod/go.sum that went into the
// key. When both match, the run skips `go list` altogether. Otherwise the
// engine lists the dependencies, hashes the sources' contents into Key, and
// relinks only when Key differs.
type stamp struct {
	Key         string   `json:"key"`
	Quick       string   `json:"quick"`
	Inputs      []input  `json:"inputs"`
	SHA256      string   `json:"sha256"`
	Size        int64    `json:"size"`
	ModTime     int64    `json:"mtime_ns"`
	Cgo         bool     `json:"cgo,omitempty"`
	CC          string   `json:"cc,omitempty"`
	CgoPackages []string `json:"cgo_packages,omitempty"`
	CgoLeftOut  []string `json:"cgo_left_out,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Static      bool     `json:"static,omitempty"`
	Args        []string `json:"args"`
	Env         []string `json:"env,omitempty"`
}

// fill copies the stamp's record of a build into r.
func (st stamp) fill(r *Result) {
	r.Size, r.SHA256, r.Key, r.Static = st.Size, st.SHA256, st.Key, st.Static
	r.Cgo, r.CC, r.CgoPackages, r.CgoLeftOut, r.Tags = st.Cgo, st.CC, st.CgoPackages, st.CgoLeftOut, st.Tags
	r.Args, r.Env = st.Args, st.Env
}

// input is the stat of one file (Size -1: did not exist), or the names in
// a directory.
type input struct {
	Path    string `json:"path"`
	Size    int64  `json:"size,omitempty"`
	ModTime int64  `json:"mtime_ns,omitempty"`
	Names   string `json:"names,omitempty"`
	Tree    bool   `json:"tree,omitempty"` // Names covers the whole tree (see treeInput)
}

func statInput(path string) input {
	fi, err := os.Stat(path)
	if err != nil {
		return input{Path: path, Size: -1}
	}
	if fi.IsDir() {
		return dirInput(path)
	}
	return input{Path: path, Size: fi.Size(), ModTime: fi.ModTime().UnixNano()}
}

// dirInput hashes the names of the files in a directory, so that an added
// or removed file is noticed. A directory's modification time would not do: tools
// create and remove scratch files in the module root on every run (mage
// writes mage_output_file.go there). Hidden files are left out too.
func dirInput(path string) input {
	ents, err := os.ReadDir(path)
	if err != nil {
		return input{Path: path, Size: -1}
	}
	h := sha256.New()
	for _, e := range ents {
		// Subdirectories are other packages (embedded trees have their own
		// input), and the output directory often lives in the module root.
		if n := e.Name(); !e.IsDir() && !strings.HasPrefix(n, ".") && n != "mage_output_file.go" {
			fmt.Fprintf(h, "%s\n", n)
		}
	}
	return input{Path: path, Names: hex.EncodeToString(h.Sum(nil))[:16]}
}

// treeInput hashes the names of everything under an embedded directory,
// hidden ones included (an all: pattern embeds them), so that a file added
// anywhere in the tree is noticed, even in a new or so far empty
// subdirectory.
func treeInput(root string) input {
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s\n", filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return input{Path: root, Size: -1, Tree: true}
	}
	return input{Path: root, Names: hex.EncodeToString(h.Sum(nil))[:16], Tree: true}
}

func unchanged(inputs []input) bool {
	for _, in := range inputs {
		cur := statInput
		if in.Tree {
			cur = treeInput
		}
		if cur(in.Path) != in {
			return false
		}
	}
	return true
}

// quickKey hashes what determines an output apart from the sources.
func (e *Engine) quickKey(ident string, s Spec) string {
	h := sha256.New()
	fmt.Fprintf(h, "kiln-quick-2\n%s\n", ident)
	for _, kv := range e.env {
		if k, _, _ := strings.Cut(kv, "="); BuildVar(k) || k == "PATH" { // PATH: where CC is found
			fmt.Fprintf(h, "env %s\n", kv)
		}
	}
	spec, _ := json.Marshal(s)
	h.Write(spec)
	return hex.EncodeToString(h.Sum(nil))
}

// moduleInputs are the files outside the package directories that select
// dependency versions.
func moduleInputs(dir string) []input {
	var ins []input
	for _, f := range []string{"go.mod", "go.sum", "go.work", "go.work.sum", filepath.Join("vendor", "modules.txt")} {
		ins = append(ins, statInput(filepath.Join(dir, f)))
	}
	return ins
}

// StampPath is the file beside out where the engine records out's stamp
// (a caller that guards the output's directory checks it too).
func StampPath(out string) string {
	return filepath.Join(filepath.Dir(out), "."+filepath.Base(out)+".kiln-stamp")
}

// readStamp returns the stamp beside out when out is intact (same size and
// modification time as when the stamp was written).
func readStamp(out string) (stamp, bool) {
	var st stamp
	data, err := os.ReadFile(StampPath(out))
	if err != nil || json.Unmarshal(data, &st) != nil {
		return st, false
	}
	fi, err := os.Stat(out)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != st.Size || fi.ModTime().UnixNano() != st.ModTime {
		return st, false
	}
	return st, true
}

func writeStamp(out string, st stamp) error {
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	st.ModTime = fi.ModTime().UnixNano()
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(StampPath(out), data, 0o644)
}

// loadPlan returns the cached plan of a quick key when its inputs are
// unchanged.
func (e *Engine) loadPlan(quick string) (stamp, bool) {
	var st stamp
	if e.cacheDir == "" {
		return st, false
	}
	data, err := os.ReadFile(filepath.Join(e.cacheDir, "plans", quick+".json"))
	if err != nil || json.Unmarshal(data, &st) != nil || st.Quick != quick || st.Key == "" || !unchanged(st.Inputs) {
		return stamp{}, false
	}
	st.SHA256, st.Size, st.ModTime = "", 0, 0
	return st, true
}

// savePlan caches a plan; the cache is an optimization, so a failure to
// write it is ignored.
func (e *Engine) savePlan(st stamp) {
	if e.cacheDir == "" {
		return
	}
	dir := filepath.Join(e.cacheDir, "plans")
	if data, err := json.Marshal(st); err == nil {
		_ = atomicfile.WriteFile(filepath.Join(dir, st.Quick+".json"), data, 0o644)
	}
	// Plans of old versions and settings are never asked for again.
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		if fi, err := ent.Info(); err == nil && time.Since(fi.ModTime()) > 30*24*time.Hour {
			os.Remove(filepath.Join(dir, ent.Name()))
		}
	}
}
