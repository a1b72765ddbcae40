package gobuild_test

import (
	"context"
	"debug/buildinfo"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// baseEnv returns os.Environ() without the named variables, plus extra.
func baseEnv(drop []string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !contains(drop, k) {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func cgoSetting(t *testing.T, path string) string {
	t.Helper()
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range bi.Settings {
		if s.Key == "CGO_ENABLED" {
			return s.Value
		}
	}
	return ""
}

// TestEnv: the engine works under the environments users have: an ambient
// GOFLAGS (with or without the machine's), and CGO_ENABLED set either way
// in the base environment, which the engine always overrides.
func TestEnv(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "musl-gcc")
	dir, _ := sharedBuild(t)
	cases := []struct {
		name     string
		env      []string
		platform string
		wantCgo  string
	}{
		{"GOFLAGS=-mod=mod", baseEnv([]string{"GOFLAGS"}, "GOFLAGS=-mod=mod"), "windows/amd64", "0"},
		{"no GOFLAGS or GOTOOLCHAIN", baseEnv([]string{"GOFLAGS", "GOTOOLCHAIN"}), "darwin/arm64", "0"},
		{"CGO_ENABLED=1 for a pure build", baseEnv(nil, "CGO_ENABLED=1"), "windows/amd64", "0"},
		{"CGO_ENABLED=0 for a cgo build", baseEnv(nil, "CGO_ENABLED=0", "GOFLAGS=-mod=mod"), "linux/amd64", "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := spec(dir, t.TempDir(), matrix.MustParse(c.platform))
			r := newEngine(t, gobuild.WithEnv(c.env)).Build(context.Background(), s)
			if r.Status != gobuild.Built {
				t.Fatalf("%s, %v; want built", r.Status, r.Err)
			}
			if got := cgoSetting(t, s.Out); got != c.wantCgo {
				t.Errorf("build info CGO_ENABLED=%s, want %s", got, c.wantCgo)
			}
			if c.wantCgo == "1" && runtime.GOOS == "linux" && runtime.GOARCH == "amd64" {
				if out := runBin(t, s.Out, "-selftest"); !strings.Contains(out, "selftest ok: c") {
					t.Errorf("-selftest printed %q", out)
				}
			}
		})
	}
}

// TestOptionsAndSpecErrors: invalid options and specs are errors, not
// panics or silent defaults.
func TestOptionsAndSpecErrors(t *testing.T) {
	if _, err := gobuild.New(gobuild.WithJobs(0)); err == nil {
		t.Error("New(WithJobs(0)) succeeded")
	}
	if n := gobuild.DefaultJobs(); n < 1 || n > runtime.NumCPU() {
		t.Errorf("DefaultJobs() = %d, want 1..%d", n, runtime.NumCPU())
	}
	dir, _ := sharedBuild(t)
	good := spec(dir, t.TempDir(), matrix.MustParse("windows/amd64"))
	bad := map[string]func(*gobuild.Spec){
		"no Main":      func(s *gobuild.Spec) { s.Main = "" },
		"no Out":       func(s *gobuild.Spec) { s.Out = "" },
		"no Name":      func(s *gobuild.Spec) { s.Name = "" },
		"bad cgo mode": func(s *gobuild.Spec) { s.Cgo = "sometimes" },
		"no such main": func(s *gobuild.Spec) { s.Main = "./nosuchdir" },
	}
	e := newEngine(t)
	for name, mutate := range bad {
		s := good
		mutate(&s)
		r := e.Build(context.Background(), s)
		if r.Status != gobuild.Failed || r.Err == nil {
			t.Errorf("%s: %s, %v; want failed", name, r.Status, r.Err)
			continue
		}
		if !strings.HasPrefix(r.Err.Error(), "windows/amd64: ") {
			t.Errorf("%s: the error does not name the platform: %v", name, r.Err)
		}
	}
	if names := listTree(t, filepath.Dir(good.Out)); len(names) != 0 {
		t.Errorf("failed specs left %q", names)
	}
}
