package gitinfo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
)

func runGit(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2024-05-06T07:08:09Z", "GIT_COMMITTER_DATE=2024-05-06T07:08:09Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func TestRead(t *testing.T) {
	testtool.Need(t, "git")
	t.Setenv("SOURCE_DATE_EPOCH", "")
	ctx := context.Background()
	dir := t.TempDir()

	info, err := Read(ctx, dir)
	if err != nil || info.Version != DevVersion || info.Note == "" || info.Commit != "" {
		t.Fatalf("Read(no git) = %+v, %v; want %s with a note", info, err, DevVersion)
	}

	runGit(t, dir, "init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, dir, "add", ".")
	runGit(t, dir, "commit", "-qm", "one")
	info, err = Read(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if !info.Time.Equal(want) || len(info.Commit) != 40 {
		t.Errorf("Read = %+v; want commit time %v and a full hash", info, want)
	}
	if !strings.HasPrefix(info.Version, "v0.0.0-20240506070809-") || info.Dirty {
		t.Errorf("untagged Version = %q, want a pseudo-version", info.Version)
	}

	runGit(t, dir, "tag", "v1.2.3")
	if info, _ = Read(ctx, dir); info.Version != "v1.2.3" {
		t.Errorf("tagged Version = %q, want v1.2.3", info.Version)
	}
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, _ = Read(ctx, dir); info.Version != "v1.2.3+dirty" || !info.Dirty {
		t.Errorf("dirty Version = %q, want v1.2.3+dirty", info.Version)
	}
	runGit(t, dir, "commit", "-qam", "two")
	if info, _ = Read(ctx, dir); !strings.HasPrefix(info.Version, "v1.2.3-1-g") || info.Dirty || len(info.Changes) != 0 {
		t.Errorf("Version after the tag = %q (%v), want v1.2.3-1-g…, clean", info.Version, info.Changes)
	}
	// An untracked file makes the tree dirty, as it does for the go
	// command; an ignored one does not.
	write(t, dir, map[string]string{".gitignore": "*.log\n"})
	if info, _ = Read(ctx, dir); !info.Dirty || !strings.HasSuffix(info.Version, "+dirty") || len(info.Changes) != 1 || info.Changes[0].String() != "untracked: .gitignore" {
		t.Errorf("with an untracked file: %+v, want dirty", info)
	}
	runGit(t, dir, "add", ".gitignore")
	runGit(t, dir, "commit", "-qm", "three")
	write(t, dir, map[string]string{"build.log": "x"})
	if info, _ = Read(ctx, dir); info.Dirty {
		t.Errorf("with an ignored file: %+v, want clean", info)
	}

	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	if info, _ = Read(ctx, dir); !info.Time.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("with SOURCE_DATE_EPOCH Time = %v", info.Time)
	}
	for _, bad := range []string{"yesterday", "253402300800", "-5"} {
		t.Setenv("SOURCE_DATE_EPOCH", bad)
		var ee *EpochError
		if _, err := Read(ctx, dir); !errors.As(err, &ee) || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
			t.Errorf("SOURCE_DATE_EPOCH=%s: err = %v, want an *EpochError", bad, err)
		}
	}
	// ReadWith takes the value from the caller (the plan's environment).
	t.Setenv("SOURCE_DATE_EPOCH", "")
	if info, err := ReadWith(ctx, dir, "1700000000"); err != nil || !info.Time.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("ReadWith(1700000000) = %v, %v", info.Time, err)
	}
	if _, err := ReadWith(ctx, t.TempDir(), "99999999999999"); err == nil {
		t.Error("ReadWith(no git, year > 9999) = nil error, want the value refused before anything else")
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"1.2.3": "v1.2.3", "v1.2.3-rc.1": "v1.2.3-rc.1", "v2.0.0+meta": "v2.0.0+meta"} {
		if got, err := Normalize(in); err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "banana", "1.2", "v1.2.3.4", "1.2.3-"} {
		if got, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}
