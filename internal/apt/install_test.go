package apt

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fake records the commands Install runs and fails those whose joined argv
// contains a key of fail (the value is their output).
type fake struct {
	calls [][]string
	envs  [][]string
	fail  map[string]string
}

func (f *fake) run(_ context.Context, argv, env []string) ([]byte, error) {
	f.calls = append(f.calls, argv)
	f.envs = append(f.envs, env)
	line := strings.Join(argv, " ")
	for k, out := range f.fail {
		if strings.Contains(line, k) {
			return []byte(out), errors.New("exit status 1")
		}
	}
	return nil, nil
}

func lookPath(have ...string) func(string) (string, error) {
	return func(file string) (string, error) {
		if slices.Contains(have, file) {
			return "/usr/bin/" + file, nil
		}
		return "", exec.ErrNotFound
	}
}

func TestInstallArgv(t *testing.T) {
	const (
		update  = "/usr/bin/apt-get update"
		install = "/usr/bin/apt-get install -y --no-install-recommends musl-tools file"
		sudo    = "/usr/bin/sudo -n DEBIAN_FRONTEND=noninteractive "
	)
	tests := []struct {
		name string
		uid  int
		want []string
	}{
		{"root", 0, []string{update, install}},
		{"sudo", 1000, []string{"/usr/bin/sudo -n true", sudo + update, sudo + install}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{}
			var out bytes.Buffer
			st := &state{}
			opts := []Option{withRunner(f.run), withUID(tt.uid), withLookPath(lookPath("apt-get", "sudo")), withState(st)}
			if err := Install(context.Background(), []string{"musl-tools", "file", "musl-tools"}, &out, opts...); err != nil {
				t.Fatal(err)
			}
			// a second install in the same process does not update again
			if err := Install(context.Background(), []string{"file"}, &out, opts...); err != nil {
				t.Fatal(err)
			}
			want := append(tt.want, strings.Replace(tt.want[len(tt.want)-1], "musl-tools file", "file", 1))
			if tt.uid != 0 {
				want = slices.Insert(want, len(tt.want), "/usr/bin/sudo -n true")
			}
			if got := joined(f.calls); !reflect.DeepEqual(got, want) {
				t.Errorf("commands =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, env := range f.envs {
				if !slices.Contains(env, "DEBIAN_FRONTEND=noninteractive") {
					t.Errorf("env %q lacks DEBIAN_FRONTEND=noninteractive", env)
				}
			}
			if !strings.Contains(out.String(), "installing Debian packages") || !strings.Contains(out.String(), "musl-tools file") {
				t.Errorf("output does not say what it installs:\n%s", out.String())
			}
		})
	}
}

func TestInstallNothing(t *testing.T) {
	f := &fake{}
	if err := Install(context.Background(), nil, &bytes.Buffer{}, withRunner(f.run), withLookPath(lookPath())); err != nil || len(f.calls) != 0 {
		t.Errorf("Install(nil) = %v after %q, want nil and no commands", err, joined(f.calls))
	}
}

func TestInstallErrors(t *testing.T) {
	const line = "apt-get update && apt-get install -y --no-install-recommends file"
	tests := []struct {
		name    string
		uid     int
		have    []string
		fail    map[string]string
		pkgs    []string
		is      []error
		msgs    []string
		ran     int // commands run
		wantErr bool
	}{
		{name: "no apt-get", uid: 0, have: nil,
			is: []error{ErrNoAptGet}, msgs: []string{"apt-get not found", line}, wantErr: true},
		{name: "no apt-get and no sudo", uid: 1000, have: nil,
			is: []error{ErrNoAptGet, ErrNoSudo}, msgs: []string{"apt-get not found", "sudo is not installed", line}, wantErr: true},
		{name: "sudo needs a password", uid: 1000, have: []string{"apt-get", "sudo"},
			fail: map[string]string{"sudo -n true": "sudo: a password is required"},
			is:   []error{ErrSudoPassword}, msgs: []string{"sudo needs a password", "sudo: a password is required", line}, ran: 1, wantErr: true},
		{name: "install fails", uid: 0, have: []string{"apt-get"},
			fail: map[string]string{"install": "E: Unable to locate package file"},
			msgs: []string{"apt-get install -y --no-install-recommends file: exit status 1", "E: Unable to locate package file", line}, ran: 2, wantErr: true},
		{name: "update and install fail", uid: 0, have: []string{"apt-get"},
			fail: map[string]string{"update": "E: Could not resolve deb.debian.org", "install": "E: Unable to locate package file"},
			msgs: []string{"apt-get update: exit status 1", "Could not resolve", "Unable to locate", line}, ran: 2, wantErr: true},
		{name: "update fails, install works", uid: 0, have: []string{"apt-get"},
			fail: map[string]string{"update": "E: Could not resolve deb.debian.org"}, ran: 2},
		{name: "bad package names", uid: 0, have: []string{"apt-get"}, pkgs: []string{"-o", "Foo"},
			msgs: []string{`"-o" is not a Debian package name`, `"Foo" is not a Debian package name`}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{fail: tt.fail}
			pkgs := tt.pkgs
			if pkgs == nil {
				pkgs = []string{"file"}
			}
			var out bytes.Buffer
			err := Install(context.Background(), pkgs, &out,
				withRunner(f.run), withUID(tt.uid), withLookPath(lookPath(tt.have...)), withState(&state{}))
			if len(f.calls) != tt.ran {
				t.Errorf("ran %q, want %d commands", joined(f.calls), tt.ran)
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatalf("Install = %v, want nil", err)
				}
				if !strings.Contains(out.String(), "warning: /usr/bin/apt-get update") {
					t.Errorf("output lacks the update warning:\n%s", out.String())
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Install = %v, want an *Error", err)
			}
			for _, target := range tt.is {
				if !errors.Is(err, target) {
					t.Errorf("Install = %v, want it to wrap %v", err, target)
				}
			}
			for _, m := range tt.msgs {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("Install error =\n%v\nwant it to contain %q", err, m)
				}
			}
		})
	}
}

func TestInstallUpdateRetriedAfterFailure(t *testing.T) {
	st := &state{}
	f := &fake{fail: map[string]string{"update": "E: network"}}
	opts := []Option{withRunner(f.run), withUID(0), withLookPath(lookPath("apt-get")), withState(st)}
	_ = Install(context.Background(), []string{"file"}, &bytes.Buffer{}, opts...)
	f.fail = nil
	_ = Install(context.Background(), []string{"file"}, &bytes.Buffer{}, opts...)
	_ = Install(context.Background(), []string{"file"}, &bytes.Buffer{}, opts...)
	var updates int
	for _, c := range joined(f.calls) {
		if strings.HasSuffix(c, "apt-get update") {
			updates++
		}
	}
	if updates != 2 {
		t.Errorf("apt-get update ran %d times in %q, want 2 (failed once, then once more)", updates, joined(f.calls))
	}
}

func TestInstallCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := &fake{}
	err := Install(ctx, []string{"file"}, &bytes.Buffer{}, withRunner(f.run), withUID(0), withLookPath(lookPath("apt-get")), withState(&state{}))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Install(canceled) = %v, want context.Canceled", err)
	}
	if got := joined(f.calls); len(got) != 1 {
		t.Errorf("ran %q, want only the update before the cancellation is seen", got)
	}
}

// TestInstallReal installs an already-installed small package through the
// real apt-get. It needs root: without it the test skips locally and fails
// in CI, where the machine is set up for it.
func TestInstallReal(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs apt-get update")
	}
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but the tests do not run as root: the real apt-get path is not checked")
		}
		t.Skip("not root: the real apt-get install is checked only as root (CI runs it)")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set but apt-get is not installed")
		}
		t.Skip("apt-get not installed (not Debian)")
	}
	var out bytes.Buffer
	if err := Install(t.Context(), []string{"file"}, &out); err != nil {
		t.Fatalf("Install(file) = %v\noutput:\n%s", err, out.String())
	}
	if _, ok := lookPathIn("file", "/usr/bin"); !ok {
		t.Errorf("after Install(file), /usr/bin/file is missing")
	}
	t.Logf("output:\n%s", out.String())
}

func joined(calls [][]string) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = strings.Join(c, " ")
	}
	return out
}
