package sbom

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A testBinary is a real program built by the tests.
type testBinary struct {
	path   string
	sha256 string
	bi     *buildinfo.BuildInfo
}

var (
	builtMu sync.Mutex
	built   = map[string]*testBinary{}
)

// builds are the binaries the tests use: the module under testdata/prog
// (two proxy dependencies, one replaced by another version, one replaced by
// a directory), as go builds it by default and as kiln builds it, and
// kiln's sample app.
var builds = map[string]struct {
	dir  string
	env  []string
	args []string
}{
	"prog":      {dir: "testdata/prog"},
	"prog-kiln": {dir: "testdata/prog", env: []string{"CGO_ENABLED=0"}, args: []string{"-trimpath", "-tags=netgo,osusergo", "-ldflags=-s -w -X main.version=v1.2.3"}},
	"sample":    {dir: "../../sample-app", env: []string{"CGO_ENABLED=0"}, args: []string{"-trimpath"}},
}

// build returns the named binary, building it once per test run.
func build(t testing.TB, name string) *testBinary {
	t.Helper()
	if testing.Short() {
		t.Skip("builds real binaries")
	}
	builtMu.Lock()
	defer builtMu.Unlock()
	if b := built[name]; b != nil {
		return b
	}
	spec := builds[name]
	out := filepath.Join(buildDir, name)
	args := append([]string{"build", "-o", out}, spec.args...)
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = spec.dir
	// Hermetic against the caller's GOFLAGS (-mod=vendor, ...) and go.work.
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOWORK=off")
	cmd.Env = append(cmd.Env, spec.env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), spec.dir, err, msg)
	}
	b := binaryAt(t, out)
	built[name] = b
	return b
}

// binaryAt reads the binary at path: its sha256 and build info.
func binaryAt(t testing.TB, path string) *testBinary {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return &testBinary{path: path, sha256: hex.EncodeToString(sum[:]), bi: bi}
}

var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kiln-sbom-test-")
	if err != nil {
		panic(err)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goVersionM runs `go version -m` on the binary and returns its modules as
// compiled: "path version" for every dep line, with the version of the
// "=>" line that replaces it ("" for a directory replacement).
func goVersionM(t testing.TB, path string) (mainPath string, mods map[string]string) {
	t.Helper()
	out, err := exec.Command("go", "version", "-m", path).Output()
	if err != nil {
		t.Fatalf("go version -m %s: %v", path, err)
	}
	mods = map[string]string{}
	last := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(strings.TrimPrefix(sc.Text(), "\t"), "\t")
		switch {
		case len(f) >= 2 && f[0] == "mod":
			mainPath = f[1]
		case len(f) >= 3 && f[0] == "dep":
			last = f[1]
			mods[last] = f[2]
		case len(f) >= 3 && f[0] == "=>":
			v := f[2]
			if v == "(devel)" {
				v = ""
			}
			mods[last] = v
		}
	}
	return mainPath, mods
}
