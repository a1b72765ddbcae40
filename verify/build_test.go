package verify

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// A build is one real binary the tests inspect, built once per test binary
// run from testdata/progs with a real toolchain.
type build struct {
	dir   string   // module under testdata; "" means progs
	prog  string   // package in the module
	env   []string // GOOS, GOARCH, CGO_ENABLED, CC, ...
	args  []string // extra go build arguments
	tools []string // system tools the build needs
}

// builds are the binaries the tests use, by name.
var builds = map[string]build{
	// Pure Go, CGO_ENABLED=0: static.
	"static":       {prog: "hello", env: env("linux", "amd64", "CGO_ENABLED=0")},
	"linux-arm64":  {prog: "hello", env: env("linux", "arm64", "CGO_ENABLED=0")},
	"linux-arm7":   {prog: "hello", env: env("linux", "arm", "GOARM=7", "CGO_ENABLED=0")},
	"win-amd64":    {prog: "hello", env: env("windows", "amd64", "CGO_ENABLED=0")},
	"win-arm64":    {prog: "hello", env: env("windows", "arm64", "CGO_ENABLED=0")},
	"darwin-amd64": {prog: "hello", env: env("darwin", "amd64", "CGO_ENABLED=0")},
	"darwin-arm64": {prog: "hello", env: env("darwin", "arm64", "CGO_ENABLED=0")},
	// -buildmode=pie without cgo: has PT_INTERP, so not static (ldd says it is).
	"pie": {prog: "hello", env: env("linux", "amd64", "CGO_ENABLED=0"), args: []string{"-buildmode=pie"}},
	// Default cgo on glibc: dynamic.
	"cgo-glibc": {prog: "cgo", env: env("linux", "amd64", "CGO_ENABLED=1", "CC=gcc"), tools: []string{"gcc"}},
	// External static-pie on glibc: ET_DYN + DF_1_PIE, no interpreter.
	"static-pie": {prog: "cgo", env: env("linux", "amd64", "CGO_ENABLED=1", "CC=gcc"), tools: []string{"gcc"},
		args: []string{"-buildmode=pie", "-ldflags=-linkmode external -extldflags -static-pie"}},
	// glibc fully static with the pure-Go resolver and user lookup.
	"glibc-static": {prog: "cgo", env: env("linux", "amd64", "CGO_ENABLED=1", "CC=gcc"), tools: []string{"gcc"},
		args: []string{"-tags=netgo,osusergo", "-ldflags=-linkmode external -extldflags -static"}},
	// musl, static and not.
	"musl-static": {prog: "cgo", env: env("linux", "amd64", "CGO_ENABLED=1", "CC=musl-gcc"), tools: []string{"musl-gcc"},
		args: []string{"-ldflags=-linkmode external -extldflags -static"}},
	// CLIs for the smoke runs.
	"noversion":   {prog: "noversion", env: env("linux", "amd64", "CGO_ENABLED=0")},
	"version":     {prog: "version", env: env("linux", "amd64", "CGO_ENABLED=0")},
	"pflag":       {dir: "pflag", prog: ".", env: env("linux", "amd64", "CGO_ENABLED=0")},
	"pflag-arm64": {dir: "pflag", prog: ".", env: env("linux", "arm64", "CGO_ENABLED=0")},
	"panic":       {prog: "crash", env: env("linux", "amd64", "CGO_ENABLED=0")},
	"nil":         {prog: "crash", env: env("linux", "amd64", "CGO_ENABLED=0"), args: []string{"-ldflags=-X main.mode=nil"}},
	"kill":        {prog: "crash", env: env("linux", "amd64", "CGO_ENABLED=0"), args: []string{"-ldflags=-X main.mode=kill"}},
	"hang":        {prog: "crash", env: env("linux", "amd64", "CGO_ENABLED=0"), args: []string{"-ldflags=-X main.mode=hang"}},
	// Stripped as kiln builds them.
	"static-s":       {prog: "hello", env: env("linux", "amd64", "CGO_ENABLED=0"), args: []string{"-ldflags=-s -w"}},
	"win-amd64-s":    {prog: "hello", env: env("windows", "amd64", "CGO_ENABLED=0"), args: []string{"-ldflags=-s -w"}},
	"darwin-arm64-s": {prog: "hello", env: env("darwin", "arm64", "CGO_ENABLED=0"), args: []string{"-ldflags=-s -w"}},
	"musl-dynamic":   {prog: "cgo", env: env("linux", "amd64", "CGO_ENABLED=1", "CC=musl-gcc"), tools: []string{"musl-gcc"}},
	// Static cgo for linux/arm/7 with the hard-float cross gcc: the external
	// linker records the float ABI in the ELF flags.
	"arm7-cgo-static": {prog: "cgo", env: env("linux", "arm", "GOARM=7", "CGO_ENABLED=1", "CC=arm-linux-gnueabihf-gcc"),
		tools: []string{"arm-linux-gnueabihf-gcc"}, args: []string{"-ldflags=-linkmode external -extldflags -static"}},
}

// benchPlatforms is the default kiln matrix, built from testdata/progs/web
// with kiln's flags for the benchmarks.
var benchPlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/7", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

func init() {
	for _, p := range benchPlatforms {
		parts := append(strings.Split(p, "/"), "")
		e := env(parts[0], parts[1], "CGO_ENABLED=0")
		if parts[2] != "" {
			e = append(e, "GOARM="+parts[2])
		}
		builds["web-"+strings.ReplaceAll(p, "/", "-")] = build{prog: "web", env: e, args: []string{"-trimpath", "-ldflags=-s -w"}}
	}
}

func env(goos, goarch string, more ...string) []string {
	return append([]string{"GOOS=" + goos, "GOARCH=" + goarch}, more...)
}

var (
	buildDir  string // set by TestMain
	buildMu   sync.Mutex
	buildOnce = map[string]*onceResult{}
)

type onceResult struct {
	once sync.Once
	path string
	err  error
	skip string
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "verify-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildDir = dir
	code := m.Run()
	stopWine()
	os.RemoveAll(dir)
	os.Exit(code)
}

// bin returns the path of the named build, building it on first use. The
// build environment is the caller's minus GOFLAGS and the target variables.
func bin(t testing.TB, name string) string {
	t.Helper()
	b, ok := builds[name]
	if !ok {
		t.Fatalf("no build %q", name)
	}
	for _, tool := range b.tools {
		testtool.Need(t, tool)
	}
	buildMu.Lock()
	r := buildOnce[name]
	if r == nil {
		r = &onceResult{}
		buildOnce[name] = r
	}
	buildMu.Unlock()
	r.once.Do(func() { r.path, r.err = goBuild(name, b) })
	if r.err != nil {
		t.Fatalf("build %s: %v", name, r.err)
	}
	return r.path
}

func goBuild(name string, b build) (string, error) {
	out := filepath.Join(buildDir, name)
	args := append([]string{"build", "-o", out}, b.args...)
	args = append(args, "./"+b.prog)
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join("testdata", cmp.Or(b.dir, "progs"))
	cmd.Env = append(cleanEnv(), b.env...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// cleanEnv is the environment without what would change the build.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "GOFLAGS", "GOOS", "GOARCH", "GOARM", "GOAMD64", "GOARM64", "CGO_ENABLED", "CC", "CXX",
			"CGO_CFLAGS", "CGO_LDFLAGS", "GOTOOLCHAIN", "GOWORK":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=")
}

// patched writes a copy of the named build with every occurrence of old
// replaced by new (of equal length) and returns its path.
func patched(t testing.TB, name, old, new string) string {
	t.Helper()
	if len(old) != len(new) {
		t.Fatalf("patch %q → %q changes the length", old, new)
	}
	data, err := os.ReadFile(bin(t, name))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	data = bytes.ReplaceAll(data, []byte(old), []byte(new))
	out := filepath.Join(t.TempDir(), name+"-patched")
	if err := os.WriteFile(out, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}
