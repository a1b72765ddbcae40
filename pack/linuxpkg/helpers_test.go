package linuxpkg

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/systemd"
)

const (
	testName = "kiln-hello"
	greeting = "hello from a kiln package"
)

var (
	shared    string // directory shared by the tests, removed by TestMain
	buildOnce sync.Map
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "linuxpkg-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// program builds a tiny static program for linux/goarch once per test
// binary and returns its path.
func program(t *testing.T, goarch string) string {
	t.Helper()
	type result struct {
		path string
		err  error
	}
	once, _ := buildOnce.LoadOrStore(goarch, sync.OnceValue(func() result {
		p, err := goBuild(goarch)
		return result{p, err}
	}))
	r := once.(func() result)()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.path
}

func goBuild(goarch string) (string, error) {
	src := filepath.Join(shared, "src-"+goarch)
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	main := "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"" + greeting + "\") }\n"
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(main), 0o644); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module hello\n\ngo 1.21\n"), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(shared, "bin-"+goarch, testName)
	cmd := exec.CommandContext(context.Background(), "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, ".")
	cmd.Dir = src
	// The user's GOFLAGS (-mod=vendor, …) and workspace must not apply to
	// this throwaway module.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=", "GOWORK=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build for linux/%s: %v\n%s", goarch, err, b)
	}
	return out, nil
}

var modTime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// unit renders the hardened unit of the test program.
func unit(t *testing.T) []byte {
	t.Helper()
	u := systemd.Unit{
		Name:          testName,
		Description:   "kiln test program",
		Documentation: "https://example.com/kiln",
		ExecStart:     "/usr/bin/" + testName,
	}
	data, err := u.Render()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// options are the test's package options for goarch, writing to out.
func options(t *testing.T, goarch, out string) Options {
	t.Helper()
	return Options{
		Name:       testName,
		Version:    "0.0.0-dev",
		Platform:   matrix.Platform{OS: "linux", Arch: goarch},
		Programs:   []Program{{Name: testName, Path: program(t, goarch)}},
		Maintainer: "Kiln Maintainers <kiln@example.com>",
		Description: "greets whoever runs it\n" +
			"kiln-hello is the program that the tests of kiln's package\n" +
			"builder install into throwaway roots: it prints a greeting and\n" +
			"exits, which proves that the packaged binary runs.",
		Homepage: "https://example.com/kiln",
		License:  "MIT",
		Vendor:   "Kiln",
		Unit:     unit(t),
		ModTime:  modTime,
		OutDir:   out,
	}
}

var pkgOnce sync.Map

// packages builds the test packages for goarch once and returns them by
// format.
func packages(t *testing.T, goarch string) map[string]string {
	t.Helper()
	type result struct {
		paths map[string]string
		err   error
	}
	o := options(t, goarch, filepath.Join(shared, "pkg-"+goarch))
	once, _ := pkgOnce.LoadOrStore(goarch, sync.OnceValue(func() result {
		rs, err := Build(context.Background(), o)
		paths := map[string]string{}
		for _, r := range rs {
			paths[r.Format] = r.Path
		}
		return result{paths, err}
	}))
	r := once.(func() result)()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.paths
}

// run runs a tool and returns its stdout; stderr is kept for the error.
func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	tool := testtool.Need(t, name)[0]
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(context.Background(), tool, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %v: %w\n%s%s", name, args, err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// mustRun is run that fails the test on error.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := run(t, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
