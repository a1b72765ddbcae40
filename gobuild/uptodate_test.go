package gobuild_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// upToDate drives one output through a sequence of builds, each by a fresh
// Engine as a new run would make.
type upToDate struct {
	t    *testing.T
	opts []gobuild.Option
}

// build builds s and fails the test unless the status is want. For
// UpToDate it also checks that the output was not touched.
func (u upToDate) build(what string, s gobuild.Spec, want gobuild.Status) gobuild.Result {
	u.t.Helper()
	before, _ := os.Stat(s.Out)
	var old []byte
	if want == gobuild.UpToDate {
		old = mustRead(u.t, s.Out)
	}
	r := newEngine(u.t, u.opts...).Build(context.Background(), s)
	if r.Err != nil {
		u.t.Fatalf("%s: %v", what, r.Err)
	}
	u.t.Logf("%-40s %-10s in %v", what, r.Status, r.Duration.Round(time.Millisecond))
	if r.Status != want {
		u.t.Errorf("%s: status %q, want %q", what, r.Status, want)
	}
	after, err := os.Stat(s.Out)
	if err != nil {
		u.t.Fatalf("%s: %v", what, err)
	}
	if want == gobuild.UpToDate {
		if !after.ModTime().Equal(before.ModTime()) {
			u.t.Errorf("%s: the output's mtime changed from %v to %v: it was rewritten", what, before.ModTime(), after.ModTime())
		}
		if !bytes.Equal(old, mustRead(u.t, s.Out)) {
			u.t.Errorf("%s: the output's content changed", what)
		}
	}
	data := mustRead(u.t, s.Out)
	if r.Size != int64(len(data)) {
		u.t.Errorf("%s: Result.Size %d, the file has %d bytes", what, r.Size, len(data))
	}
	return r
}

// contains fails unless the output holds marker (proving a change made it
// into the binary), or holds it not when want is false.
func (u upToDate) contains(s gobuild.Spec, marker string, want bool) {
	u.t.Helper()
	if got := bytes.Contains(mustRead(u.t, s.Out), []byte(marker)); got != want {
		u.t.Errorf("the output contains %q: %v, want %v", marker, got, want)
	}
}

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	data := mustRead(t, path)
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUpToDate: a second build with nothing changed does not touch the
// output; every change of what determines the output rebuilds it.
func TestUpToDate(t *testing.T) {
	t.Parallel()
	dir := copyModule(t, t.TempDir())
	writeFile(t, filepath.Join(dir, "tagged.go"), "//go:build kilntest\n\npackage main\n\nfunc init() {\n\tif len(os.Args) > 99 {\n\t\tprintln(\"tagged-file-marker\")\n\t}\n}\n")
	editFile(t, filepath.Join(dir, "tagged.go"), "package main\n", "package main\n\nimport \"os\"\n")
	s := spec(dir, t.TempDir(), matrix.MustParse("windows/amd64"))
	u := upToDate{t: t}

	first := u.build("first build", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)
	r := u.build("nothing changed, again", s, gobuild.UpToDate)
	if r.SHA256 != first.SHA256 || r.Size != first.Size {
		t.Errorf("an up-to-date result reports %s (%d bytes), the build reported %s (%d bytes)", r.SHA256, r.Size, first.SHA256, first.Size)
	}

	// A source touched but not changed: the content decides.
	now := time.Now().Add(time.Second)
	if err := os.Chtimes(filepath.Join(dir, "main.go"), now, now); err != nil {
		t.Fatal(err)
	}
	u.build("main.go touched, same content", s, gobuild.UpToDate)

	editFile(t, filepath.Join(dir, "main.go"), `fmt.Fprintln(w, "ok")`, `fmt.Fprintln(w, "ok-edited-marker")`)
	u.build("main.go edited", s, gobuild.Built)
	u.contains(s, "ok-edited-marker", true)
	u.build("after the edit, nothing changed", s, gobuild.UpToDate)

	editFile(t, filepath.Join(dir, "internal", "cfeature", "cfeature_other.go"), `return "go"`, `return "go-dep-marker"`)
	u.build("a dependency package edited", s, gobuild.Built)
	u.contains(s, "go-dep-marker", true)

	extra := filepath.Join(dir, "extra.go")
	writeFile(t, extra, "package main\n\nimport \"os\"\n\nfunc init() {\n\tif len(os.Args) > 99 {\n\t\tprintln(\"new-file-marker\")\n\t}\n}\n")
	u.build("a new file in the main package", s, gobuild.Built)
	u.contains(s, "new-file-marker", true)
	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
	u.build("that file removed", s, gobuild.Built)
	u.contains(s, "new-file-marker", false)

	u.contains(s, "tagged-file-marker", false)
	s.Tags = []string{"kilntest"}
	u.build("Tags changed", s, gobuild.Built)
	u.contains(s, "tagged-file-marker", true)
	u.build("same Tags", s, gobuild.UpToDate)

	s.LDFlags = []string{"-X", "main.commit=ldflags-marker"}
	u.build("LDFlags changed", s, gobuild.Built)
	u.contains(s, "ldflags-marker", true)

	s.Stamp.Version = "v9.9.9-stamp-marker"
	u.build("Stamp changed", s, gobuild.Built)
	u.contains(s, "v9.9.9-stamp-marker", true)
	good := u.build("nothing changed", s, gobuild.UpToDate)

	if err := os.Remove(s.Out); err != nil {
		t.Fatal(err)
	}
	if r := u.build("output deleted", s, gobuild.Built); r.SHA256 != good.SHA256 {
		t.Errorf("the rebuilt output differs from the deleted one: %s, was %s", r.SHA256, good.SHA256)
	}

	f, err := os.OpenFile(s.Out, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, 64), 4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if r := u.build("output corrupted", s, gobuild.Built); r.SHA256 != good.SHA256 {
		t.Errorf("the rebuilt output differs from the good one: %s, was %s", r.SHA256, good.SHA256)
	}
	u.build("nothing changed", s, gobuild.UpToDate)

	s.Platform = matrix.MustParse("windows/arm64")
	u.build("Platform changed, same Out", s, gobuild.Built)
	if _, arch, err := binFormat(s.Out); err != nil || arch != "arm64" {
		t.Errorf("after the platform change the output is %q, %v; want arm64", arch, err)
	}
}

// TestUpToDateEnv: a change of the Go or C environment rebuilds, whether
// it comes from the engine's base environment or the Spec's Env.
func TestUpToDateEnv(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "musl-gcc")
	dir := copyModule(t, t.TempDir())
	s := spec(dir, t.TempDir(), matrix.MustParse("linux/amd64"))
	u := upToDate{t: t}
	u.build("first build", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)

	u.opts = []gobuild.Option{gobuild.WithEnv(append(os.Environ(), "CGO_CFLAGS=-O1 -g0"))}
	u.build("CGO_CFLAGS in the base env", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)

	s.Env = []string{"CGO_CFLAGS=-O0"}
	u.build("CGO_CFLAGS in Spec.Env", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)
}

// TestUpToDateVariant: a variant (GOAMD64=v2) is a different build. A tiny
// module keeps the cost of compiling the standard library for v2 small.
func TestUpToDateVariant(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/tiny\n\ngo 1.24\n")
	writeFile(t, filepath.Join(dir, "main.go"), "package main\n\nimport \"os\"\n\nvar version, commit, date string\n\nfunc main() { os.Stdout.WriteString(version + \"\\n\") }\n")
	out := t.TempDir()
	s := gobuild.Spec{Dir: dir, Main: ".", Name: "tiny", Out: filepath.Join(out, "tiny"), Platform: matrix.MustParse("linux/amd64"), Stamp: testStamp}
	u := upToDate{t: t}
	u.build("first build", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)
	s.Platform = matrix.MustParse("linux/amd64/v2")
	u.build("variant v2", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)
	if got := runBin(t, s.Out); strings.TrimSpace(got) != testStamp.Version {
		t.Errorf("tiny printed %q, want %q", got, testStamp.Version)
	}
}

// TestUpToDateEmbed: files embedded from a directory tree are inputs: a
// file added anywhere under it, or to an `all:` tree even when hidden, is
// rebuilt into the binary.
func TestUpToDateEmbed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":                   "module example.com/embedded\n\ngo 1.24\n",
		"main.go":                  "package main\n\nimport (\n\t\"embed\"\n\t\"io/fs\"\n\t\"os\"\n)\n\n//go:embed assets\nvar assets embed.FS\n\n//go:embed all:hidden\nvar hidden embed.FS\n\nfunc main() {\n\tfor _, f := range []fs.FS{assets, hidden} {\n\t\tfs.WalkDir(f, \".\", func(p string, d fs.DirEntry, err error) error {\n\t\t\tos.Stdout.WriteString(p + \"\\n\")\n\t\t\treturn nil\n\t\t})\n\t}\n}\n",
		"assets/a/one.txt":         "one",
		"hidden/.keep/visible.txt": "visible",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), content)
	}
	if err := os.Mkdir(filepath.Join(dir, "assets", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := gobuild.Spec{Dir: dir, Main: ".", Name: "embedded", Out: filepath.Join(t.TempDir(), "embedded"), Platform: matrix.MustParse("windows/amd64"), Stamp: testStamp}
	u := upToDate{t: t}
	u.build("first build", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)

	if err := os.MkdirAll(filepath.Join(dir, "assets", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "assets", "b", "two-marker.txt"), "two")
	u.build("a file in a new embedded subdirectory", s, gobuild.Built)
	u.contains(s, "two-marker.txt", true)

	writeFile(t, filepath.Join(dir, "assets", "empty", "three-marker.txt"), "three")
	u.build("a file in a so far empty subdirectory", s, gobuild.Built)
	u.contains(s, "three-marker.txt", true)

	writeFile(t, filepath.Join(dir, "assets", "a", "one.txt"), "one-edited-marker")
	u.build("an embedded file edited", s, gobuild.Built)
	u.contains(s, "one-edited-marker", true)

	writeFile(t, filepath.Join(dir, "hidden", ".keep", ".secret-marker"), "hidden")
	u.build("a hidden file in an all: embed", s, gobuild.Built)
	u.contains(s, ".secret-marker", true)
	u.build("nothing changed", s, gobuild.UpToDate)
}

// TestUpToDateGoEnvFile: settings from the go command's config file
// (GOENV, what `go env -w` writes) determine the output too: changing one
// rebuilds.
func TestUpToDateGoEnvFile(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "musl-gcc")
	dir := copyModule(t, t.TempDir())
	goenv := filepath.Join(t.TempDir(), "go.env")
	writeFile(t, goenv, "")
	s := spec(dir, t.TempDir(), matrix.MustParse("linux/amd64"))
	u := upToDate{t: t, opts: []gobuild.Option{gobuild.WithEnv(baseEnv([]string{"CGO_CFLAGS"}, "GOENV="+goenv))}}
	u.build("first build", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)
	writeFile(t, goenv, "CGO_CFLAGS=-O0 -g0\n")
	u.build("go env -w CGO_CFLAGS=-O0", s, gobuild.Built)
	u.build("nothing changed", s, gobuild.UpToDate)
}

// TestUpToDateMatrix: a second BuildAll of the whole default matrix with
// nothing changed finds every output up to date and touches none (how
// quick it is, BenchmarkNoOp measures).
func TestUpToDateMatrix(t *testing.T) {
	testtool.Need(t, "musl-gcc", "aarch64-linux-gnu-gcc", "arm-linux-gnueabihf-gcc")
	_, built := sharedBuild(t)
	before := make([]time.Time, len(built))
	for i, r := range built {
		fi, err := os.Stat(r.Spec.Out)
		if err != nil {
			t.Fatal(err)
		}
		before[i] = fi.ModTime()
	}
	ss := make([]gobuild.Spec, len(built))
	for i, r := range built {
		ss[i] = r.Spec
	}
	start := time.Now()
	rs, err := newEngine(t).BuildAll(context.Background(), ss, nil)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("no-op BuildAll of %d platforms: %v", len(ss), took)
	for i, r := range rs {
		fi, err := os.Stat(r.Spec.Out)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != gobuild.UpToDate || !fi.ModTime().Equal(before[i]) {
			t.Errorf("%s: %s, mtime %v (was %v); want up to date and untouched", r.Spec.Platform, r.Status, fi.ModTime(), before[i])
		}
		if r.Static != built[i].Static || r.Key != built[i].Key || r.GoVersion != built[i].GoVersion {
			t.Errorf("%s: the up-to-date result (static %v, key %s, %s) differs from the build's (static %v, key %s, %s)", r.Spec.Platform,
				r.Static, r.Key, r.GoVersion, built[i].Static, built[i].Key, built[i].GoVersion)
		}
		if r.SHA256 != built[i].SHA256 || r.Cgo != built[i].Cgo || r.CC != built[i].CC || !slices.Equal(r.CgoPackages, built[i].CgoPackages) {
			t.Errorf("%s: the up-to-date result (%s, cgo %v %q %q) differs from the build's (%s, cgo %v %q %q)", r.Spec.Platform,
				r.SHA256, r.Cgo, r.CC, r.CgoPackages, built[i].SHA256, built[i].Cgo, built[i].CC, built[i].CgoPackages)
		}
	}
}

// TestResultArgsEnv: a build reports the exact go build arguments and the
// environment entries that decide its output, and an up-to-date build
// reports the same; the entries that only say where go keeps things are
// left out.
func TestResultArgsEnv(t *testing.T) {
	dir := copyModule(t, t.TempDir())
	s := spec(dir, t.TempDir(), matrix.MustParse("windows/amd64"))
	e := newEngine(t, gobuild.WithEnv(append(os.Environ(), "GOTELEMETRY=off", "GOFLAGS=-mod=mod")))
	first := e.Build(context.Background(), s)
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	args := strings.Join(first.Args, " ")
	for _, want := range []string{"-trimpath -buildvcs=false -ldflags ", "-X main.version=v1.2.3-test", "-X main.date=2024-05-06T07:08:09Z"} {
		if !strings.Contains(args, want) {
			t.Errorf("Args %q lack %q", first.Args, want)
		}
	}
	if last := first.Args[len(first.Args)-1]; last != "." {
		t.Errorf("Args end with %q, want the main package .", last)
	}
	env := strings.Join(first.Env, "\n") + "\n"
	for _, want := range []string{"GOOS=windows\n", "GOARCH=amd64\n", "CGO_ENABLED=0\n", "GOFLAGS=-mod=mod\n"} {
		if !strings.Contains(env, want) {
			t.Errorf("Env %q lacks %q", first.Env, want)
		}
	}
	if strings.Contains(env, "GOTELEMETRY=") || strings.Contains(env, "PATH=") {
		t.Errorf("Env %q holds where-variables", first.Env)
	}
	again := e.Build(context.Background(), s)
	if again.Status != gobuild.UpToDate || !slices.Equal(again.Args, first.Args) || !slices.Equal(again.Env, first.Env) {
		t.Errorf("up-to-date build: %s, Args %q, Env %q; want the first build's", again.Status, again.Args, again.Env)
	}
}
