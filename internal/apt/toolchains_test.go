package apt

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
)

// TestToolchainsForBuilds: the packages of failed cgo builds are installed
// once each when allowed; otherwise the build error says how to allow it;
// an install that fails keeps the build error.
func TestToolchainsForBuilds(t *testing.T) {
	te := func(pkgs string) gobuild.Result {
		return gobuild.Result{Err: fmt.Errorf("build: %w", &gobuild.ToolchainError{CC: "x-gcc", Install: pkgs})}
	}
	results := []gobuild.Result{te("gcc-x libc-x"), {}, te("gcc-x")}
	buildErr := errors.New("2 builds failed")

	installed, err := Toolchains{}.ForBuilds(context.Background(), results, buildErr)
	if installed || !errors.Is(err, buildErr) || !strings.Contains(err.Error(), "KILN_TOOLCHAINS=install") {
		t.Errorf("not allowed: installed %v, err %v; want the build error and the opt-in", installed, err)
	}
	var asked []string
	tc := Toolchains{Allow: true, Install: func(_ context.Context, pkgs []string) error { asked = append(asked, pkgs...); return nil }}
	if installed, err := tc.ForBuilds(context.Background(), results, buildErr); !installed || err != nil {
		t.Errorf("allowed: installed %v, err %v", installed, err)
	}
	if strings.Join(asked, " ") != "gcc-x libc-x" {
		t.Errorf("installed %q, want gcc-x libc-x once each", asked)
	}
	tc.Install = func(context.Context, []string) error { return errors.New("no apt") }
	if installed, err := tc.ForBuilds(context.Background(), results, buildErr); installed || !errors.Is(err, buildErr) || !strings.Contains(err.Error(), "no apt") {
		t.Errorf("failed install: installed %v, err %v", installed, err)
	}
	if installed, err := tc.ForBuilds(context.Background(), []gobuild.Result{{}}, nil); installed || err != nil {
		t.Errorf("nothing missing: installed %v, err %v", installed, err)
	}
}

// TestToolchainsForWine: wine's tools are installed only when allowed and
// missing from the PATH the runs see; the packages are Debian's.
func TestToolchainsForWine(t *testing.T) {
	var asked []string
	record := func(_ context.Context, pkgs []string) error { asked = append(asked, pkgs...); return nil }
	if err := (Toolchains{Install: record}).ForWine(context.Background(), t.TempDir()); err != nil || len(asked) > 0 {
		t.Errorf("not allowed: %v, installed %q; want nothing", err, asked)
	}
	if err := (Toolchains{Allow: true, Install: record}).ForWine(context.Background(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	// wine64 may be found outside PATH (Debian puts it in /usr/lib/wine).
	for _, want := range []string{"bubblewrap", "gcc-mingw-w64-x86-64"} {
		if !strings.Contains(strings.Join(asked, " "), want) {
			t.Errorf("with an empty PATH installed %q, want %s among them", asked, want)
		}
	}
}

// TestToolchainsRebuild: once the toolchains are installed, only the
// failed builds build again, their new results in their places and the
// rebuild's error returned; when nothing is installed nothing builds
// again and the build error (with the opt-in) is returned.
func TestToolchainsRebuild(t *testing.T) {
	spec := func(name string) gobuild.Spec { return gobuild.Spec{Name: name} }
	te := &gobuild.ToolchainError{CC: "x-gcc", Install: "gcc-x"}
	results := func() []gobuild.Result {
		return []gobuild.Result{{Spec: spec("a"), Status: gobuild.Built}, {Spec: spec("b"), Status: gobuild.Failed, Err: te},
			{Spec: spec("c"), Status: gobuild.UpToDate}, {Spec: spec("d"), Status: gobuild.Failed, Err: te}}
	}
	buildErr := errors.New("2 builds failed")
	var again []string
	rebuildErr := errors.New("d: still failing")
	build := func(_ context.Context, specs []gobuild.Spec) ([]gobuild.Result, error) {
		var out []gobuild.Result
		for _, s := range specs {
			again = append(again, s.Name)
			r := gobuild.Result{Spec: s, Status: gobuild.Built}
			if s.Name == "d" {
				r.Status, r.Err = gobuild.Failed, rebuildErr
			}
			out = append(out, r)
		}
		return out, rebuildErr
	}

	tc := Toolchains{Allow: true, Install: func(context.Context, []string) error { return nil }}
	got, err := tc.Rebuild(context.Background(), results(), buildErr, build)
	if strings.Join(again, " ") != "b d" || err != rebuildErr {
		t.Errorf("Rebuild built %q again, err %v; want b d, %v", again, err, rebuildErr)
	}
	var statuses []string
	for _, r := range got {
		statuses = append(statuses, r.Spec.Name+" "+string(r.Status))
	}
	if want := "a built, b built, c up to date, d failed"; strings.Join(statuses, ", ") != want {
		t.Errorf("Rebuild = %s, want %s", strings.Join(statuses, ", "), want)
	}

	again = nil
	got, err = Toolchains{}.Rebuild(context.Background(), results(), buildErr, build)
	if len(again) > 0 || !errors.Is(err, buildErr) || !strings.Contains(err.Error(), "KILN_TOOLCHAINS=install") || got[1].Err != te {
		t.Errorf("not allowed: built %q again, err %v; want nothing built, the build error and the opt-in", again, err)
	}
}

// TestToolchainsForRuns: the run check's tools are installed only when
// allowed and missing, for the linux platforms only, each package once.
func TestToolchainsForRuns(t *testing.T) {
	var asked []string
	record := func(_ context.Context, pkgs []string) error { asked = append(asked, pkgs...); return nil }
	t.Setenv("PATH", t.TempDir())
	host := matrix.Platform{OS: "linux", Arch: runtime.GOARCH}
	pls := []matrix.Platform{{OS: "darwin", Arch: "arm64"}, host, {OS: "windows", Arch: "amd64"}, host, {OS: "darwin", Arch: "universal"}}
	if err := (Toolchains{Install: record}).ForRuns(context.Background(), pls); err != nil || len(asked) > 0 {
		t.Errorf("not allowed: %v, installed %q; want nothing", err, asked)
	}
	allowed := Toolchains{Allow: true, Install: record}
	if err := allowed.ForRuns(context.Background(), pls[2:3]); err != nil || len(asked) > 0 {
		t.Errorf("no linux platform: %v, installed %q; want nothing", err, asked)
	}
	if err := allowed.ForRuns(context.Background(), pls); err != nil || strings.Join(asked, " ") != "bubblewrap" {
		t.Errorf("ForRuns(%v) with an empty PATH = %v, installed %q; want bubblewrap once", pls, err, asked)
	}
}
