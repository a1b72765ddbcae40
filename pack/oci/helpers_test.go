package oci

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// probeSource is the program put in the test images. It proves what a
// program in the image relies on: the CA bundle, the nonroot user through
// os/user and its arguments.
const probeSource = `package main

import (
	"fmt"
	"os"
	"os/user"
	"strings"
)

func main() {
	b, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil || !strings.Contains(string(b), "BEGIN CERTIFICATE") {
		fmt.Println("certs:", err)
		os.Exit(3)
	}
	u, err := user.Current()
	if err != nil {
		fmt.Println("user:", err)
		os.Exit(4)
	}
	fmt.Printf("uid=%d user=%s home=%s args=%q\n", os.Getuid(), u.Username, u.HomeDir, os.Args[1:])
}
`

// testPlatforms are the platforms of the test images.
var testPlatforms = []matrix.Platform{
	matrix.MustParse("linux/amd64"),
	matrix.MustParse("linux/arm64"),
	matrix.MustParse("linux/arm/7"),
}

// testCreated is the commit time the test images are stamped with.
var testCreated = time.Date(2024, 5, 17, 12, 30, 0, 0, time.UTC)

var probes struct {
	once sync.Once
	dir  string
	bins []Binary
	err  error
}

// probeBinaries builds the probe for every test platform once per test
// binary run (in parallel) and returns them.
func probeBinaries(t *testing.T) []Binary {
	t.Helper()
	testtool.Need(t, "go")
	probes.once.Do(func() {
		probes.dir, probes.err = os.MkdirTemp("", "kiln-oci-probe-*")
		if probes.err != nil {
			return
		}
		src := writeModule(probes.dir, "src", probeSource)
		bins := make([]Binary, len(testPlatforms))
		errs := make([]error, len(testPlatforms))
		var wg sync.WaitGroup
		for i, p := range testPlatforms {
			bins[i] = Binary{Platform: p, Path: filepath.Join(probes.dir, "dist", "probe_"+p.Slug(), "probe"), Static: true}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = goBuild(src, bins[i].Path, p, "0")
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && probes.err == nil {
				probes.err = err
			}
		}
		probes.bins = bins
	})
	if probes.err != nil {
		t.Fatal(probes.err)
	}
	return probes.bins
}

// TestMain removes the shared probe binaries.
func TestMain(m *testing.M) {
	code := m.Run()
	if probes.dir != "" {
		os.RemoveAll(probes.dir)
	}
	os.Exit(code)
}

// writeModule writes a one-file main module under dir/name.
func writeModule(dir, name, src string) string {
	d := filepath.Join(dir, name)
	os.MkdirAll(d, 0o755)
	os.WriteFile(filepath.Join(d, "go.mod"), []byte("module probe\n\ngo 1.24\n"), 0o644)
	os.WriteFile(filepath.Join(d, "main.go"), []byte(src), 0o644)
	return d
}

// goBuild builds the module in dir for p, ignoring the caller's GOFLAGS.
func goBuild(dir, out string, p matrix.Platform, cgo string) error {
	cmd := exec.CommandContext(context.Background(), "go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "CGO_ENABLED="+cgo, "GOOS="+p.OS, "GOARCH="+p.Arch)
	if e := p.VariantEnv(); e != "" {
		cmd.Env = append(cmd.Env, e)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", p, err, b)
	}
	return nil
}

// testOptions are the options of the test images.
func testOptions(bins []Binary) Options {
	return Options{
		Name:         "probe",
		Version:      "1.2.3",
		Revision:     "0123456789abcdef0123456789abcdef01234567",
		Source:       "https://example.com/probe",
		Description:  "a test program",
		Licenses:     "Apache-2.0",
		Labels:       map[string]string{"com.example.team": "kiln"},
		Binaries:     slices.Clone(bins),
		Created:      testCreated,
		Cmd:          []string{"hello", "world"},
		ExposedPorts: []string{"8080"},
		Env:          []string{"MODE=test"},
	}
}

var built struct {
	once   sync.Once
	tar    string
	digest string
	err    error
}

// testArchive builds the test image once per test binary run and returns
// the archive's path and the index digest.
func testArchive(t *testing.T) (string, string) {
	t.Helper()
	bins := probeBinaries(t)
	built.once.Do(func() {
		built.tar = filepath.Join(probes.dir, "dist", "probe_1.2.3_oci.tar")
		built.digest, built.err = Build(context.Background(), built.tar, testOptions(bins))
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.tar, built.digest
}

// run runs a command and returns its standard output, failing the test
// with its standard error when it fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}
