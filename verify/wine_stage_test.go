package verify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

// TestPrepareWine: the stage prepares wine only for windows/amd64 binaries
// and runs not off, installs first, says why nothing runs, and fails a
// windows/amd64 binary wine could not run only when the runs are required.
// Nothing here needs wine: the prefix is one kiln did not create (or wine
// is missing), so no binary runs.
func TestPrepareWine(t *testing.T) {
	ctx := context.Background()
	amd64 := matrix.Platform{OS: "windows", Arch: "amd64"}
	arm64 := matrix.Platform{OS: "windows", Arch: "arm64"}
	foreign := t.TempDir()
	if err := os.WriteFile(filepath.Join(foreign, "system.reg"), []byte("WINE REGISTRY"), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, armExe := bin(t, "win-amd64"), bin(t, "win-arm64")
	installs := 0
	install := func(context.Context) error { installs++; return nil }

	off, err := PrepareWine(ctx, []matrix.Platform{amd64}, WineStageOptions{Off: "runs are off", Install: install, Prefix: foreign})
	if err != nil || installs != 0 {
		t.Fatalf("Off: PrepareWine = %v after %d installs, want no error and no install", err, installs)
	}
	if rec, err := off.Smoke(ctx, "tool.exe", amd64, SmokeOptions{}); err != nil || rec.Ran || rec.NotRun != "runs are off" || rec.ExitCode != -1 {
		t.Errorf("Off: Smoke = %+v, %v; want not run, saying why", rec, err)
	}
	if _, err := PrepareWine(ctx, []matrix.Platform{arm64, {OS: "linux", Arch: "amd64"}}, WineStageOptions{Install: install}); err != nil || installs != 0 {
		t.Errorf("no windows/amd64 binary: PrepareWine = %v after %d installs, want nothing installed", err, installs)
	}
	failed := errors.New("apt-get failed")
	if _, err := PrepareWine(ctx, []matrix.Platform{amd64}, WineStageOptions{Prefix: foreign, Install: func(context.Context) error { return failed }}); !errors.Is(err, failed) {
		t.Errorf("a failed install: PrepareWine = %v, want %v", err, failed)
	}

	auto, err := PrepareWine(ctx, []matrix.Platform{amd64, arm64}, WineStageOptions{Prefix: foreign, Install: install})
	if err != nil || installs != 1 {
		t.Fatalf("PrepareWine = %v after %d installs, want one install", err, installs)
	}
	if rec, err := auto.Smoke(ctx, exe, amd64, SmokeOptions{}); err != nil || rec.Ran || rec.NotRun == "" || rec.Via != "wine" {
		t.Errorf("a prefix kiln did not create: Smoke = %+v, %v; want not run under wine, saying why", rec, err)
	}
	req, err := PrepareWine(ctx, []matrix.Platform{amd64, arm64}, WineStageOptions{Prefix: foreign, Require: "Runs = required"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := req.Smoke(ctx, exe, amd64, SmokeOptions{}); err == nil || !strings.Contains(err.Error(), "the run under wine is required (Runs = required) but could not run: ") {
		t.Errorf("required: Smoke of windows/amd64 = %v, want the requirement and the reason named", err)
	}
	if rec, err := req.Smoke(ctx, armExe, arm64, SmokeOptions{}); err != nil || rec.Ran {
		t.Errorf("required: Smoke of windows/arm64, which wine64 cannot run = %+v, %v; want not run, no failure", rec, err)
	}
	if entries, _ := os.ReadDir(foreign); len(entries) != 1 {
		t.Errorf("wrote into a prefix kiln did not create: %v", entries)
	}
}

// TestPrepareWineNoPrefix: without a prefix and a cache directory to put
// one in, no binary runs, and the reason says what to set. The test
// empties HOME and XDG_CACHE_HOME on purpose, for os.UserCacheDir to
// fail; it runs no go command, so Go's build cache is not involved.
func TestPrepareWineNoPrefix(t *testing.T) {
	t.Setenv("HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	if _, err := os.UserCacheDir(); err == nil {
		t.Skip("os.UserCacheDir has a directory without HOME and XDG_CACHE_HOME here")
	}
	amd64 := matrix.Platform{OS: "windows", Arch: "amd64"}
	s, err := PrepareWine(context.Background(), []matrix.Platform{amd64}, WineStageOptions{PrefixHint: "set the prefix"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Smoke(context.Background(), "tool.exe", amd64, SmokeOptions{})
	if err != nil || rec.Ran || !strings.HasPrefix(rec.NotRun, "wine prefix: ") || !strings.HasSuffix(rec.NotRun, ": set the prefix") {
		t.Errorf("no prefix: Smoke = %+v, %v; want not run, the reason ending with the hint", rec, err)
	}
}
