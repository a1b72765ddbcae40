package gobuild_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// The tests here prove that the up-to-date key holds everything `go build`
// puts into the binary: for each change, kiln rebuilds and its output is
// byte for byte what a plain `go build` with the same flags writes now.
// Small modules keep them quick; each runs on a warm standard library.

// writeTree writes files (relative path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, content)
	}
}

// loopDep is a module whose result depends on its go line: 9 before go
// 1.22 (one loop variable shared by the closures), 3 after.
var loopDep = map[string]string{
	"dep/go.mod": "module example.com/dep\n\ngo 1.21\n",
	"dep/dep.go": "package dep\n\nfunc Sum() int {\n\tvar fs []func() int\n\tfor i := 0; i < 3; i++ {\n\t\tfs = append(fs, func() int { return i })\n\t}\n\ts := 0\n\tfor _, f := range fs {\n\t\ts += f()\n\t}\n\treturn s\n}\n",
}

// loopApp is the main module using loopDep through a directory replace.
var loopApp = map[string]string{
	"app/go.mod":  "module example.com/app\n\ngo 1.22\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ../dep\n",
	"app/main.go": "package main\n\nimport (\n\t\"os\"\n\t\"strconv\"\n\n\t\"example.com/dep\"\n)\n\nvar version, commit, date string\n\nfunc main() { os.Stdout.WriteString(version + \" \" + strconv.Itoa(dep.Sum()) + \"\\n\") }\n",
}

// keyModule writes loopApp and loopDep under a new directory and returns
// a linux/amd64 Spec of the app.
func keyModule(t *testing.T) gobuild.Spec {
	t.Helper()
	root := t.TempDir()
	writeTree(t, root, loopDep)
	writeTree(t, root, loopApp)
	return gobuild.Spec{Dir: filepath.Join(root, "app"), Main: ".", Name: "app", Platform: matrix.MustParse("linux/amd64"),
		Stamp: testStamp, Out: filepath.Join(t.TempDir(), "app")}
}

// sameAsGoBuild fails unless s.Out is byte for byte what a plain go build
// with kiln's flags writes now.
func sameAsGoBuild(t *testing.T, what string, s gobuild.Spec) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "plain")
	cmd := exec.Command("go", "build", "-o", out, "-trimpath", "-buildvcs=false",
		"-ldflags", "-s -w -X main.version="+s.Stamp.Version+" -X main.commit="+s.Stamp.Commit+" -X main.date="+s.Stamp.Date.UTC().Format("2006-01-02T15:04:05Z07:00"),
		s.Main)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), "GOOS="+s.Platform.OS, "GOARCH="+s.Platform.Arch, "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: go build: %v\n%s", what, err, msg)
	}
	if !bytes.Equal(mustRead(t, s.Out), mustRead(t, out)) {
		t.Errorf("%s: kiln's output differs from a plain go build's", what)
	}
}

// TestKeyModuleFiles: each change of a module file that reaches the binary
// rebuilds it, into what go build makes now.
func TestKeyModuleFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(t *testing.T, app string)
	}{
		{"godebug line in go.mod", func(t *testing.T, app string) {
			editFile(t, filepath.Join(app, "go.mod"), "go 1.22\n", "go 1.22\n\ngodebug panicnil=1\n")
		}},
		{"godebug block in go.mod", func(t *testing.T, app string) {
			editFile(t, filepath.Join(app, "go.mod"), "go 1.22\n", "go 1.22\n\ngodebug (\n\tdefault=go1.21\n)\n")
		}},
		{"go line of go.mod", func(t *testing.T, app string) {
			editFile(t, filepath.Join(app, "go.mod"), "go 1.22\n", "go 1.23\n")
		}},
		{"toolchain line of go.mod", func(t *testing.T, app string) {
			editFile(t, filepath.Join(app, "go.mod"), "go 1.22\n", "go 1.22\n\ntoolchain go1.22.0\n")
		}},
		{"go line of a replaced directory's go.mod", func(t *testing.T, app string) {
			editFile(t, filepath.Join(app, "..", "dep", "go.mod"), "go 1.21\n", "go 1.22\n")
		}},
		{"replacement directory (same sources)", func(t *testing.T, app string) {
			writeTree(t, filepath.Join(app, ".."), map[string]string{"dep2/go.mod": loopDep["dep/go.mod"], "dep2/dep.go": loopDep["dep/dep.go"]})
			editFile(t, filepath.Join(app, "go.mod"), "=> ../dep\n", "=> ../dep2\n")
		}},
		{"default.pgo added beside the main package", func(t *testing.T, app string) {
			// testdata/cpu.pprof: a CPU profile of a small loop, written by
			// runtime/pprof.StartCPUProfile (any valid profile will do).
			writeFile(t, filepath.Join(app, "default.pgo"), string(mustRead(t, filepath.Join("testdata", "cpu.pprof"))))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := keyModule(t)
			u := upToDate{t: t, opts: []gobuild.Option{gobuild.WithCacheDir(t.TempDir())}}
			u.build("first build", s, gobuild.Built)
			sameAsGoBuild(t, "first build", s)
			tc.change(t, s.Dir)
			u.build(tc.name, s, gobuild.Built)
			sameAsGoBuild(t, tc.name, s)
			u.build("nothing changed", s, gobuild.UpToDate)
		})
	}
}

// TestKeyGoWork: the go, toolchain and godebug lines of a go.work in
// effect (here in the parent directory) reach the binary.
func TestKeyGoWork(t *testing.T) {
	t.Parallel()
	s := keyModule(t)
	work := filepath.Join(s.Dir, "..", "go.work")
	writeFile(t, work, "go 1.22\n\nuse (\n\t./app\n\t./dep\n)\n")
	u := upToDate{t: t, opts: []gobuild.Option{gobuild.WithCacheDir(t.TempDir())}}
	u.build("first build in a workspace", s, gobuild.Built)
	sameAsGoBuild(t, "first build in a workspace", s)
	editFile(t, work, "go 1.22\n", "go 1.22\n\ngodebug panicnil=1\n")
	u.build("godebug in go.work", s, gobuild.Built)
	sameAsGoBuild(t, "godebug in go.work", s)
	u.build("nothing changed", s, gobuild.UpToDate)
	editFile(t, work, "go 1.22\n", "go 1.23\n")
	u.build("go line of go.work", s, gobuild.Built)
	sameAsGoBuild(t, "go line of go.work", s)
	u.build("nothing changed", s, gobuild.UpToDate)
}

// TestKeyIgnoredFile: a file excluded by its build constraint (a magefile
// beside the program) counts by its name and constraint, not its body.
func TestKeyIgnoredFile(t *testing.T) {
	t.Parallel()
	s := keyModule(t)
	mage := filepath.Join(s.Dir, "magefile.go")
	writeFile(t, mage, "//go:build mage\n\npackage main\n\nfunc init() { println(\"magefile-marker-1\") }\n")
	u := upToDate{t: t, opts: []gobuild.Option{gobuild.WithCacheDir(t.TempDir())}}
	u.build("first build", s, gobuild.Built)
	editFile(t, mage, "magefile-marker-1", "magefile-marker-2")
	u.build("the excluded file's body edited", s, gobuild.UpToDate)
	editFile(t, mage, "//go:build mage\n", "//go:build mage || linux\n")
	u.build("its constraint now includes it", s, gobuild.Built)
	u.contains(s, "magefile-marker-2", true)
	sameAsGoBuild(t, "constraint changed", s)
}

// TestNotMain: a Main naming a library is a *NotMainError, and no archive
// is written as the binary.
func TestNotMain(t *testing.T) {
	t.Parallel()
	s := keyModule(t)
	writeTree(t, s.Dir, map[string]string{"lib/lib.go": "package lib\n\nfunc F() {}\n"})
	s.Main = "./lib"
	r := newEngine(t, gobuild.WithCacheDir(t.TempDir())).Build(context.Background(), s)
	var nm *gobuild.NotMainError
	if !errors.As(r.Err, &nm) || nm.Main != "./lib" || nm.Name != "lib" {
		t.Fatalf("Build of a library: status %s, err %v; want a *NotMainError{./lib, lib}", r.Status, r.Err)
	}
	t.Logf("error: %v", r.Err)
	if _, err := os.Stat(s.Out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an output was written for a library: %v", err)
	}
}

// TestResultFacts: a result says how the binary was linked and carries the
// build's key and Go version, the same whether built or up to date.
func TestResultFacts(t *testing.T) {
	t.Parallel()
	s := keyModule(t)
	u := upToDate{t: t, opts: []gobuild.Option{gobuild.WithCacheDir(t.TempDir())}}
	built := u.build("first build", s, gobuild.Built)
	again := u.build("nothing changed", s, gobuild.UpToDate)
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []gobuild.Result{built, again} {
		if !r.Static || r.Cgo {
			t.Errorf("%s: Static %v, Cgo %v; want a static build without cgo", r.Status, r.Static, r.Cgo)
		}
		if len(r.Key) != 64 || r.Key != built.Key {
			t.Errorf("%s: Key %q, want the build's %q", r.Status, r.Key, built.Key)
		}
		if want := string(bytes.TrimSpace(out)); r.GoVersion != want {
			t.Errorf("%s: GoVersion %q, want %q", r.Status, r.GoVersion, want)
		}
	}
}

// TestEngineGo: the engine runs go with its environment, and a failure
// carries go's message; Universe comes from the toolchain.
func TestEngineGo(t *testing.T) {
	t.Parallel()
	e := newEngine(t, gobuild.WithEnv(append(os.Environ(), "GOFLAGS=-tags=kiln-marker-tag")))
	if out, err := e.Go(context.Background(), ".", "env", "GOFLAGS"); err != nil || !bytes.Contains(out, []byte("kiln-marker-tag")) {
		t.Errorf("go env GOFLAGS under the engine's env: %q, %v; want the engine's GOFLAGS", out, err)
	}
	if _, err := e.Go(context.Background(), ".", "tool", "kiln-no-such-tool"); err == nil || !strings.Contains(err.Error(), "kiln-no-such-tool") {
		t.Errorf("go tool of a missing tool: err %v; want go's message naming the tool", err)
	}
	u, err := newEngine(t).Universe(context.Background(), ".")
	if err != nil {
		t.Fatal(err)
	}
	if in, ok := u.Info(matrix.MustParse("linux/amd64")); !ok || !in.FirstClass {
		t.Errorf("Universe: linux/amd64 is %+v, %v; want a first-class platform", in, ok)
	}
}

// TestKeySameEverywhere: where the go command keeps its caches and
// modules is not part of the key, so machines with their own caches (CI
// shards) record the same key for the same build.
func TestKeySameEverywhere(t *testing.T) {
	t.Parallel()
	s := keyModule(t)
	var keys []string
	for _, env := range [][]string{
		nil,
		{"GOCACHE=" + t.TempDir(), "GOTMPDIR=" + t.TempDir(), "GOPROXY=off", "GOTELEMETRY=off"},
	} {
		e := newEngine(t, gobuild.WithCacheDir(""), gobuild.WithEnv(append(os.Environ(), env...)))
		sp := s
		sp.Out = filepath.Join(t.TempDir(), "out")
		r := e.Build(context.Background(), sp)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		keys = append(keys, r.Key)
	}
	if keys[0] != keys[1] {
		t.Errorf("keys %q and %q differ with another GOCACHE, GOTMPDIR, GOPROXY", keys[0], keys[1])
	}
}
