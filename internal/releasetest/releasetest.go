// Package releasetest holds the fixtures shared by the tests that run
// release's stages (release's own, shards' and reproduce's) — a small
// module, git repositories, signing keys, tree snapshots, the tests' plan
// cache and wine prefix — without importing release, so that release's
// internal tests can use it too.
package releasetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln-build/kiln/verify"
)

// ToolMain is the main.go of Module: a program that prints its version.
const ToolMain = `package main

import "fmt"

var version = "dev"

func main() { fmt.Println("tool", version) }
`

// Module writes a small module (example.com/tool) with a root main
// package into a new directory and returns it.
func Module(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{"go.mod": "module example.com/tool\n\ngo 1.22\n", "main.go": ToolMain} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// planCache is the tests' plan cache directory, made by Main.
var planCache string

// Main runs a test package's tests with a plan cache in a temporary
// directory (PlanCache: never the user's ~/.cache/kiln; Go's build cache
// stays the machine's own, warm), calling setup with it first; then it
// stops the tests' wine prefix (WinePrefix), removes both and exits.
func Main(m *testing.M, setup ...func(planCache string)) {
	dir, err := os.MkdirTemp("", "kiln-plan-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	planCache = dir
	for _, f := range setup {
		f(dir)
	}
	code := m.Run()
	closeWine()
	os.RemoveAll(dir)
	os.Exit(code)
}

// PlanCache is the plan cache directory Main made for the tests.
func PlanCache(t testing.TB) string {
	t.Helper()
	if planCache == "" {
		t.Fatal("no plan cache for the tests: call releasetest.Main from TestMain")
	}
	return planCache
}

// wine is the wine prefix of a test binary: created by the first verify
// that runs a windows binary, in a temporary directory (never the user's
// ~/.cache/kiln/wine). Main stops its wineserver and removes it.
var wine struct {
	once sync.Once
	dir  string
}

// WinePrefix returns the tests' wine prefix (not created yet).
func WinePrefix(t testing.TB) string {
	t.Helper()
	wine.once.Do(func() {
		dir, err := os.MkdirTemp("", "kiln-release-wine-")
		if err == nil {
			wine.dir = dir
		}
	})
	if wine.dir == "" {
		t.Fatal("no temporary directory for the wine prefix")
	}
	return filepath.Join(wine.dir, "prefix")
}

// closeWine stops the tests' wineserver (killing what still runs in the
// prefix, which only these tests use) and removes the prefix.
func closeWine() {
	if wine.dir == "" {
		return
	}
	prefix := filepath.Join(wine.dir, "prefix")
	if _, err := os.Stat(prefix); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		w := verify.NewWine(prefix)
		if w.Setup(ctx) == "" {
			if err := w.Close(ctx); err != nil {
				fmt.Fprintln(os.Stderr, "closing the tests' wine prefix:", err)
			}
		}
		cancel()
	}
	os.RemoveAll(wine.dir)
}

// Vars is the environment of a test's run, as a plan's getenv reads it:
// KILN_JOBS=2 with env (KEY=VALUE entries) over it.
func Vars(env []string) map[string]string {
	vars := map[string]string{"KILN_JOBS": "2"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	return vars
}
