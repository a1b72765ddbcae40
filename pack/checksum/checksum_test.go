package checksum

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/archive"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// release writes two real archives and a nested file into a fresh dist
// directory and returns it with the file names (relative and absolute mixed).
func release(t *testing.T) (dist string, files []string) {
	t.Helper()
	src := t.TempDir()
	write(t, filepath.Join(src, "tool"), "#!/bin/sh\necho tool\n")
	write(t, filepath.Join(src, "README"), "read me\n")
	in := []archive.File{{Src: filepath.Join(src, "tool"), Name: "tool"}, {Src: filepath.Join(src, "README"), Name: "README"}}
	dist = t.TempDir()
	for _, p := range []string{"linux/arm/7", "windows/amd64"} {
		pl := matrix.MustParse(p)
		name := "tool_1.0.0_" + pl.Slug() + ".tar.gz"
		if pl.OS == "windows" {
			name = "tool_1.0.0_" + pl.Slug() + ".zip"
		}
		if err := archive.Write(t.Context(), filepath.Join(dist, name), in, archive.Options{ModTime: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	write(t, filepath.Join(dist, "deb", "tool_1.0.0_amd64.deb"), "not really a deb\n")
	files = append(files, filepath.Join(dist, "deb", "tool_1.0.0_amd64.deb"))
	return dist, files
}

func TestWriteVerify(t *testing.T) {
	sha256sum := testtool.Need(t, "sha256sum")[0]
	dist, files := release(t)
	path := filepath.Join(dist, "tool_1.0.0_checksums.txt")
	if err := Write(path, dist, append(files, files[0])); err != nil {
		t.Fatalf("Write: %v", err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	wantNames := []string{"deb/tool_1.0.0_amd64.deb", "tool_1.0.0_linux_arm_7.tar.gz", "tool_1.0.0_windows_amd64.zip"}
	if len(lines) != len(wantNames) {
		t.Fatalf("checksums file has %d lines, want %d (sorted, deduplicated):\n%s", len(lines), len(wantNames), data)
	}
	for i, l := range lines {
		b, _ := os.ReadFile(filepath.Join(dist, wantNames[i]))
		if want := sum(string(b)) + "  " + wantNames[i]; l != want {
			t.Errorf("line %d = %q, want %q", i+1, l, want)
		}
	}
	if err := Verify(path, dist); err != nil {
		t.Errorf("Verify(fresh) = %v", err)
	}
	check := func() (string, error) {
		cmd := exec.Command(sha256sum, "-c", filepath.Base(path))
		cmd.Dir = dist
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := check(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}

	// One changed byte in an archive: both sha256sum and Verify fail, naming it.
	victim := filepath.Join(dist, wantNames[2])
	b, _ := os.ReadFile(victim)
	b[len(b)/2] ^= 1
	write(t, victim, string(b))
	if out, err := check(); err == nil || !strings.Contains(out, wantNames[2]+": FAILED") {
		t.Errorf("sha256sum -c after tampering = %v\n%s; want a failure naming %s", err, out, wantNames[2])
	}
	err = Verify(path, dist)
	var mm *MismatchError
	if !errors.As(err, &mm) || mm.Name != wantNames[2] || mm.Got != sum(string(b)) {
		t.Errorf("Verify after tampering = %v; want a MismatchError for %s", err, wantNames[2])
	}

	// Every problem is listed, not just the first.
	os.Remove(filepath.Join(dist, wantNames[0]))
	err = Verify(path, dist)
	var me *multierror.Error
	if !errors.As(err, &me) || len(me.Errors) != 2 || !strings.Contains(err.Error(), wantNames[0]) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Verify with a mismatch and a missing file = %v; want both listed", err)
	}
}

func TestWriteRejects(t *testing.T) {
	dist := t.TempDir()
	write(t, filepath.Join(dist, "ok"), "ok")
	outside := filepath.Join(t.TempDir(), "outside")
	write(t, outside, "x")
	path := filepath.Join(dist, "sums.txt")
	err := Write(path, dist, []string{"ok", "missing", outside, "../x", "."})
	for _, want := range []string{"missing: no such file", outside + ": not a file inside", "../x: not a file inside", ".: not a file inside"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Write(bad files) error lacks %q:\n%v", want, err)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed Write left %s", path)
	}
	if err := Write(path, dist, nil); err == nil {
		t.Errorf("Write(no files) = nil, want an error")
	}
}

func TestVerifyMalformed(t *testing.T) {
	dist := t.TempDir()
	write(t, filepath.Join(dist, "a"), "a")
	path := filepath.Join(dist, "sums.txt")
	for _, tc := range []struct{ content, want string }{
		{sum("a") + "  a\n", ""},
		{sum("a") + " *a\n\n", ""},
		{strings.ToUpper(sum("a")) + " *a\n", "lowercase hex"},
		{sum("a") + "  a\n" + sum("a") + "  a\n", "also listed on line 1"},
		{sum("a") + "  ../a\n", "not a relative slash path"},
		{sum("a") + "  /etc/passwd\n", "not a relative slash path"},
		{sum("a")[:63] + "  a\n", "checksums line 1"},
		{strings.Repeat("z", 64) + "  a\n", "checksums line 1"},
		{sum("a") + " a\n", "checksums line 1"},
		{"", "no files listed"},
		{sum("b") + "  a\n", "sha256 mismatch"},
	} {
		write(t, path, tc.content)
		err := Verify(path, dist)
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Verify(%q) = %v, want %q", tc.content, err, tc.want)
		}
	}
	if err := Verify(filepath.Join(dist, "none"), dist); err == nil {
		t.Errorf("Verify(missing checksums file) = nil")
	}
}
