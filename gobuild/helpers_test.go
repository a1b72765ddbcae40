package gobuild_test

import (
	"context"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// The tests build the sample app (../sample-app) for real, from copies of
// its module so that they can edit sources and prove builds reproducible
// across checkout paths. Builds use the ambient GOCACHE (warm after the
// first run) except where a test needs a cold one.

// tmpRoot holds what tests share across the package run (the shared module
// copy and its outputs); TestMain removes it.
var tmpRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gobuild-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const samplePkg = "github.com/kiln-build/kiln/sample-app"

// testStamp is the version facts every test build is stamped with.
var testStamp = gobuild.Stamp{Version: "v1.2.3-test", Commit: "0123456789abcdef", Date: time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)}

// copyModule copies the sample app's module (sources, go.mod, go.sum; not
// dist/) to dst and points its replace directive at the absolute kiln root.
func copyModule(tb testing.TB, dst string) string {
	tb.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		tb.Fatal(err)
	}
	testtool.CopySampleApp(tb, root, dst)
	return dst
}

// spec returns a Spec for the sample app in dir for p, written under out.
func spec(dir, out string, p matrix.Platform) gobuild.Spec {
	return gobuild.Spec{
		Dir: dir, Main: ".", Name: "sample-app", Platform: p, Stamp: testStamp,
		Out: filepath.Join(out, "sample-app_"+p.Slug(), "sample-app"+p.Exe()),
	}
}

func specs(dir, out string, ps []matrix.Platform) []gobuild.Spec {
	ss := make([]gobuild.Spec, len(ps))
	for i, p := range ps {
		ss[i] = spec(dir, out, p)
	}
	return ss
}

// testPlans puts the engine's plan cache under tmpRoot: the tests never
// write (or prune) the user's ~/.cache/kiln. A test that needs its own
// cache passes WithCacheDir after it.
func testPlans() gobuild.Option { return gobuild.WithCacheDir(filepath.Join(tmpRoot, "plans")) }

func newEngine(tb testing.TB, opts ...gobuild.Option) *gobuild.Engine {
	tb.Helper()
	e, err := gobuild.New(append([]gobuild.Option{testPlans()}, opts...)...)
	if err != nil {
		tb.Fatalf("gobuild.New: %v", err)
	}
	return e
}

// shared is the default matrix built once from one module copy, for the
// tests that only read outputs.
var shared struct {
	once    sync.Once
	dir     string
	out     string
	results []gobuild.Result
	err     error
	took    time.Duration
}

func sharedBuild(t *testing.T) (dir string, results []gobuild.Result) {
	t.Helper()
	shared.once.Do(func() {
		shared.err = errors.New("the shared build did not finish (see the first test that ran it)")
		shared.dir = copyModule(t, filepath.Join(tmpRoot, "shared", "src"))
		shared.out = filepath.Join(tmpRoot, "shared", "dist")
		e, err := gobuild.New(testPlans())
		if err != nil {
			shared.err = err
			return
		}
		start := time.Now()
		shared.results, shared.err = e.BuildAll(context.Background(), specs(shared.dir, shared.out, matrix.Default), func(r gobuild.Result) {
			t.Logf("  %s %s in %v", r.Spec.Platform, r.Status, r.Duration.Round(time.Millisecond))
		})
		shared.took = time.Since(start)
		t.Logf("shared build of %d platforms: %v", len(matrix.Default), shared.took)
	})
	// A build that failed for lack of its C compiler fails only the tests
	// (or rows) that need it: they say so with testtool.Need.
	var te *gobuild.ToolchainError
	for _, r := range shared.results {
		if r.Err != nil && !errors.As(r.Err, &te) {
			t.Fatalf("shared build of the default matrix: %v", shared.err)
		}
	}
	if shared.results == nil {
		t.Fatalf("shared build of the default matrix: %v", shared.err)
	}
	return shared.dir, shared.results
}

// result returns the shared result for platform p.
func sharedResult(t *testing.T, p string) gobuild.Result {
	t.Helper()
	_, rs := sharedBuild(t)
	for _, r := range rs {
		if r.Spec.Platform.String() == p {
			return r
		}
	}
	t.Fatalf("no shared result for %s", p)
	return gobuild.Result{}
}

// binFormat reads the format and GOARCH-style architecture of a binary
// with debug/elf, debug/pe and debug/macho directly (not through verify).
func binFormat(path string) (format, arch string, err error) {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		m := map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_ARM: "arm", elf.EM_386: "386", elf.EM_RISCV: "riscv64"}
		return "elf", m[f.Machine], nil
	}
	if f, err := pe.Open(path); err == nil {
		defer f.Close()
		m := map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64", pe.IMAGE_FILE_MACHINE_I386: "386"}
		return "pe", m[f.Machine], nil
	}
	if f, err := macho.Open(path); err == nil {
		defer f.Close()
		m := map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}
		return "macho", m[f.Cpu], nil
	}
	return "", "", fmt.Errorf("%s: not an ELF, PE or Mach-O file", path)
}

// listTree returns every file and directory under dir, relative, sorted.
func listTree(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path != dir {
			rel, _ := filepath.Rel(dir, path)
			names = append(names, rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

// hasTemp reports leftovers of an interrupted write in the tree.
func hasTemp(names []string) bool {
	for _, n := range names {
		if strings.Contains(filepath.Base(n), ".tmp-") {
			return true
		}
	}
	return false
}
