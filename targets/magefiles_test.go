package targets_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
)

const pflagCLI = `package main

import (
	"fmt"

	flag "github.com/spf13/pflag"
)

func main() {
	name := flag.StringP("name", "n", "world", "whom to greet")
	flag.Parse()
	fmt.Println("hello,", *name)
}
`

// TestOwnMagefilesModule is the README's "In your own module" recipe on a
// product with an old go directive and a pflag CLI without a version flag:
// the magefile lives in magefiles/ as its own module, so the product's
// go.mod and go.sum stay byte-identical after setup and after every
// target, and zero-config crossall, verify and package succeed (verify
// probes the CLI instead of insisting on -version).
func TestOwnMagefilesModule(t *testing.T) {
	root := filepath.Join(t.TempDir(), "prod")
	write(t, filepath.Join(root, "go.mod"), "module example.com/prod\n\ngo 1.22.0\n\nrequire github.com/spf13/pflag v1.0.6\n")
	write(t, filepath.Join(root, "main.go"), pflagCLI)
	tidy := func(dir string) {
		cmd := exec.Command("go", "mod", "tidy")
		cmd.Dir = dir
		cmd.Env = goEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go mod tidy in %s: %v\n%s", dir, err, out)
		}
	}
	tidy(root)
	gomod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	gosum, _ := os.ReadFile(filepath.Join(root, "go.sum"))

	// The recipe: magefiles/ is a module requiring kiln, with mage as its tool.
	mf := filepath.Join(root, "magefiles")
	write(t, filepath.Join(mf, "go.mod"), "module example.com/prod/magefiles\n\ngo 1.26.0\n\nrequire github.com/kiln-build/kiln v0.0.0\n\nreplace github.com/kiln-build/kiln => "+repoRoot+"\n\ntool github.com/magefile/mage\n")
	sum, err := os.ReadFile(filepath.Join(repoRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mf, "go.sum"), string(sum))
	magefile, err := os.ReadFile(filepath.Join("testdata", "magefiles", "root.go"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(mf, "magefile.go"), string(magefile))
	tidy(mf)
	same := func(when string) {
		t.Helper()
		m, _ := os.ReadFile(filepath.Join(root, "go.mod"))
		s, _ := os.ReadFile(filepath.Join(root, "go.sum"))
		if !bytes.Equal(m, gomod) || !bytes.Equal(s, gosum) {
			t.Fatalf("%s changed the product's go.mod or go.sum:\n%s", when, m)
		}
	}
	same("setting up magefiles/")

	// mage lists the magefile's imports in its working directory: run it
	// from magefiles/, working on the product (-w ..), as go -C does.
	c := &consumer{t: t, dir: mf}
	env := []string{"KILN_MATRIX=linux/amd64,windows/amd64", "SOURCE_DATE_EPOCH=1700000000"}
	for _, target := range []string{"crossall", "verify", "package"} {
		c.ok(env, "-d", ".", "-w", "..", target)
		same("mage " + target)
	}
	m := c.manifest(filepath.Join("..", "dist"))
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		if a.Verify == nil || !a.Verify.OK {
			t.Errorf("%s: verify %+v, want ok", a.Path, a.Verify)
		}
		if a.OS == "linux" && runtime.GOOS == "linux" && (a.Verify == nil || !a.Verify.Run.Ran) {
			t.Errorf("%s: the CLI did not run in the empty root: %+v", a.Path, a.Verify)
		}
	}
	if len(m.Filter(artifact.ByKind(artifact.Archive))) != 2 {
		t.Errorf("want 2 archives, manifest has %+v", m.Artifacts)
	}

	// The README's zero-install command, from the repository root.
	cmd := exec.Command("go", "-C", "magefiles", "tool", "mage", "-d", ".", "-w", "..", "-l")
	cmd.Dir = root
	cmd.Env = goEnv()
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "crossall") {
		t.Errorf("go -C magefiles tool mage -d . -w .. -l: %v\n%s", err, out)
	}
	same("go tool mage -l")
}
