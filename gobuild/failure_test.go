package gobuild_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// TestBrokenPlatforms builds a module with a windows-only syntax error for
// four platforms: the two windows builds fail, each with a *BuildError that
// names its platform and carries the compiler's message with the file name;
// the others are built; the aggregated error names both failures.
func TestBrokenPlatforms(t *testing.T) {
	t.Parallel()
	dir := copyModule(t, t.TempDir())
	broken := "//go:build windows\n\npackage main\n\nfunc broken() {\n\treturn 1 +\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "broken_windows.go"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	ps := []matrix.Platform{matrix.MustParse("windows/amd64"), matrix.MustParse("darwin/arm64"), matrix.MustParse("windows/arm64"), matrix.MustParse("darwin/amd64")}
	out := t.TempDir()
	var mu sync.Mutex
	reported := map[string]gobuild.Status{}
	rs, err := newEngine(t).BuildAll(context.Background(), specs(dir, out, ps), func(r gobuild.Result) {
		mu.Lock()
		defer mu.Unlock()
		reported[r.Spec.Platform.String()] = r.Status
	})
	if err == nil {
		t.Fatal("BuildAll succeeded with a syntax error in a windows file")
	}
	t.Logf("BuildAll error:\n%v", err)
	var merr *multierror.Error
	if !errors.As(err, &merr) || len(merr.Errors) != 2 {
		t.Fatalf("error is %T with %v; want a *multierror.Error of 2 errors", err, err)
	}
	for _, name := range []string{"windows/amd64", "windows/arm64", "broken_windows.go:7"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("the error does not say %s", name)
		}
	}
	for i, r := range rs {
		p := ps[i].String()
		if reported[p] != r.Status {
			t.Errorf("%s: report saw %q, the result says %q", p, reported[p], r.Status)
		}
		if ps[i].OS != "windows" {
			if r.Status != gobuild.Built || r.Err != nil {
				t.Errorf("%s: %s, %v; want built (one platform's failure must not stop the others)", p, r.Status, r.Err)
			}
			if _, _, err := binFormat(r.Spec.Out); err != nil {
				t.Errorf("%s: %v", p, err)
			}
			continue
		}
		if r.Status != gobuild.Failed {
			t.Errorf("%s: status %q, want failed", p, r.Status)
		}
		var be *gobuild.BuildError
		if !errors.As(r.Err, &be) || be.Platform != p {
			t.Errorf("%s: Err = %#v, want a *BuildError for %s", p, r.Err, p)
			continue
		}
		if !strings.Contains(be.Error(), "broken_windows.go:7") || !strings.Contains(be.Error(), "syntax error") {
			t.Errorf("%s: the error lacks the compiler's message with the file and line:\n%v", p, be)
		}
		if !errors.Is(err, r.Err) {
			t.Errorf("%s: the aggregated error does not hold the platform's error", p)
		}
		if names := listTree(t, filepath.Dir(r.Spec.Out)); len(names) != 0 {
			t.Errorf("%s: a failed build left files behind: %q", p, names)
		}
	}
}

// TestCancel cancels a build while the compiler runs (a cold GOCACHE makes
// it slow): the result is Failed with context.Canceled, and the output
// directory holds nothing, not even a temporary file.
func TestCancel(t *testing.T) {
	t.Parallel()
	dir := copyModule(t, t.TempDir())
	cache := t.TempDir()
	started := make(chan struct{})
	var once sync.Once
	verbose := writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte(" go build ")) {
			once.Do(func() { close(started) })
		}
		return len(p), nil
	})
	e := newEngine(t, gobuild.WithEnv(append(os.Environ(), "GOCACHE="+cache)), gobuild.WithVerbose(verbose))
	out := t.TempDir()
	ss := specs(dir, out, []matrix.Platform{matrix.MustParse("windows/amd64"), matrix.MustParse("darwin/arm64")})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-started:
			time.Sleep(time.Second)
		case <-time.After(30 * time.Second):
		}
		cancel()
	}()
	start := time.Now()
	rs, err := e.BuildAll(ctx, ss, nil)
	took := time.Since(start)
	t.Logf("canceled BuildAll returned after %v: %v", took, err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("BuildAll: %v; want context.Canceled", err)
	}
	for _, r := range rs {
		p := r.Spec.Platform.String()
		if r.Status != gobuild.Failed || !errors.Is(r.Err, context.Canceled) {
			t.Errorf("%s: status %q, err %v; want failed with context.Canceled", p, r.Status, r.Err)
		}
		var be *gobuild.BuildError
		if !errors.As(r.Err, &be) || be.Platform != p {
			t.Errorf("%s: Err = %#v, want a *BuildError for it", p, r.Err)
		}
	}
	// Nothing but the (empty) per-platform directories may remain.
	for _, name := range listTree(t, out) {
		if fi, err := os.Stat(filepath.Join(out, name)); err != nil || !fi.IsDir() {
			t.Errorf("a canceled build left %s in the output directory", name)
		}
	}
}

// TestCanceledFirstBuild cancels an engine's very first build, then builds
// again with the same engine: the cancellation must not stick to it.
func TestCanceledFirstBuild(t *testing.T) {
	t.Parallel()
	dir := copyModule(t, t.TempDir())
	e := newEngine(t)
	s := spec(dir, t.TempDir(), matrix.MustParse("windows/amd64"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := e.Build(ctx, s); r.Status != gobuild.Failed || !errors.Is(r.Err, context.Canceled) {
		t.Fatalf("build with a canceled context: %q, %v; want failed with context.Canceled", r.Status, r.Err)
	}
	if r := e.Build(context.Background(), s); r.Status != gobuild.Built {
		t.Fatalf("the next build: %q, %v; want built", r.Status, r.Err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
