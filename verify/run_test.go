package verify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

func runCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestRun(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "bwrap", "qemu-aarch64-static", "qemu-arm-static")
	tests := []struct {
		name     string
		build    string
		platform string
		args     []string
		wantExit int
		ran      bool
		exit     int
		errs     []string // substrings of Err; nil = no error
	}{
		{"static with args", "static", "linux/amd64", []string{"7", "x"}, 7, true, 7, nil},
		{"static exit 0", "static", "linux/amd64", nil, 0, true, 0, nil},
		{"wrong exit code", "static", "linux/amd64", []string{"3"}, 0, true, 3,
			[]string{"exit code 3, expected 0", "hello [3]"}},
		{"musl static", "musl-static", "linux/amd64", []string{"5"}, 5, true, 5, nil},
		{"glibc dynamic", "cgo-glibc", "linux/amd64", nil, 0, true, 1,
			[]string{"missing interpreter /lib64/ld-linux-x86-64.so.2 in the empty root"}},
		{"pie", "pie", "linux/amd64", nil, 0, true, 1,
			[]string{"missing interpreter /lib64/ld-linux-x86-64.so.2 in the empty root"}},
		{"musl dynamic", "musl-dynamic", "linux/amd64", nil, 0, true, 1,
			[]string{"missing interpreter /lib/ld-musl-x86_64.so.1 in the empty root"}},
		{"arm64 under qemu", "linux-arm64", "linux/arm64", []string{"4"}, 4, true, 4, nil},
		{"arm64 wrong exit under qemu", "linux-arm64", "linux/arm64", []string{"4"}, 0, true, 4, []string{"exit code 4, expected 0"}},
		{"arm7 under qemu", "linux-arm7", "linux/arm/7", []string{"6"}, 6, true, 6, nil},
		{"arm7 cgo static under qemu", "arm7-cgo-static", "linux/arm/7", []string{"2"}, 2, true, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := bin(t, tt.build) // build before the run's timeout starts
			res := Run(runCtx(t), path, matrix.MustParse(tt.platform), tt.args, tt.wantExit)
			if res.Ran != tt.ran || res.ExitCode != tt.exit || res.NotRun != "" {
				t.Fatalf("Run = %+v, want Ran %v, exit %d", res, tt.ran, tt.exit)
			}
			if tt.errs == nil {
				if res.Err != nil {
					t.Fatalf("Run error = %v", res.Err)
				}
				if !strings.Contains(res.Output, strings.Join(tt.args, " ")) {
					t.Errorf("Output = %q, want the args echoed", res.Output)
				}
				return
			}
			var re *RunError
			if !errors.As(res.Err, &re) {
				t.Fatalf("Run error = %v, want a *RunError", res.Err)
			}
			for _, w := range tt.errs {
				if !strings.Contains(res.Err.Error(), w) {
					t.Errorf("Run error = %q, want it to contain %q", res.Err, w)
				}
			}
		})
	}
}

func TestRunNotRun(t *testing.T) {
	// t.Setenv: not parallel.
	testtool.Need(t, "bwrap")
	static := bin(t, "static")
	arm64 := bin(t, "linux-arm64")
	darwin := bin(t, "darwin-arm64")
	ctx := runCtx(t)

	if res := Run(ctx, darwin, matrix.MustParse("darwin/arm64"), nil, 0); res.Ran || res.NotRun != "not a linux binary" || res.Err != nil {
		t.Errorf("Run(darwin) = %+v, want NotRun %q", res, "not a linux binary")
	}
	missing := filepath.Join(t.TempDir(), "nope")
	if res := Run(ctx, missing, matrix.MustParse("linux/amd64"), nil, 0); res.Ran || res.Err == nil ||
		!strings.Contains(res.Err.Error(), "missing binary") || !errors.Is(res.Err, os.ErrNotExist) {
		t.Errorf("Run(missing file) = %+v, want a missing binary error", res)
	}

	// A PATH with bwrap but no qemu, then an empty one.
	dir := t.TempDir()
	bwrap := testtool.Need(t, "bwrap")[0]
	if err := os.Symlink(bwrap, filepath.Join(dir, "bwrap")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if res := Run(ctx, arm64, matrix.MustParse("linux/arm64"), nil, 0); res.Ran || res.NotRun != "qemu-aarch64-static not found (apt-get install qemu-user-static)" {
		t.Errorf("Run without qemu = %+v, want NotRun %q", res, "qemu-aarch64-static not found (apt-get install qemu-user-static)")
	}
	if res := Run(ctx, static, matrix.MustParse("linux/amd64"), nil, 0); !res.Ran || res.Err != nil {
		t.Errorf("Run native without qemu in PATH = %+v, want it to run", res)
	}
	t.Setenv("PATH", t.TempDir())
	if res := Run(ctx, static, matrix.MustParse("linux/amd64"), nil, 0); res.Ran || res.NotRun != "bwrap not found (apt-get install bubblewrap)" {
		t.Errorf("Run without bwrap = %+v, want NotRun %q", res, "bwrap not found (apt-get install bubblewrap)")
	}
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "bwrap")
	// A program that never exits, under a context that expires while it
	// runs: the run is reported as not finished, with what it printed.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res := Run(ctx, bin(t, "hang"), matrix.MustParse("linux/amd64"), nil, 0)
	if res.Err == nil || !errors.Is(res.Err, context.DeadlineExceeded) {
		t.Fatalf("Run of a hanging program = %+v, want DeadlineExceeded", res)
	}
	if !strings.Contains(res.Output, "starting") {
		t.Errorf("Run of a hanging program: output %q, want the program's first line (the deadline came during the run)", res.Output)
	}
}
