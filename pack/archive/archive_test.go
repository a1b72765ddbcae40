package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

var mtime = time.Date(2024, 1, 2, 3, 4, 6, 0, time.UTC)

const fixtureSrc = `package main

import (
	"fmt"
	"runtime"
)

func main() { fmt.Printf("kiln fixture %s/%s\n", runtime.GOOS, runtime.GOARCH) }
`

var fixture struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	os.Exit(code)
}

// fixtureBinary returns a real static Go program built for p, shared by all
// tests (linux/amd64 and windows/amd64 are built once).
func fixtureBinary(t *testing.T, p matrix.Platform) string {
	t.Helper()
	gobin := testtool.Need(t, "go")[0]
	fixture.once.Do(func() {
		fixture.dir, fixture.err = os.MkdirTemp("", "kiln-archive-test-")
		if fixture.err != nil {
			return
		}
		src := filepath.Join(fixture.dir, "src")
		os.MkdirAll(src, 0o755)
		os.WriteFile(filepath.Join(src, "go.mod"), []byte("module example.com/fixture\n\ngo 1.22\n"), 0o644)
		os.WriteFile(filepath.Join(src, "main.go"), []byte(fixtureSrc), 0o644)
		// Both builds at once: cold, each compiles its own std (about a
		// minute on 2 cores); no -trimpath so linux shares the test's cache.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, q := range []matrix.Platform{{OS: "linux", Arch: "amd64"}, {OS: "windows", Arch: "amd64"}} {
			wg.Go(func() {
				cmd := exec.Command(gobin, "build", "-o", filepath.Join(fixture.dir, q.Slug(), "fixture"+q.Exe()), ".")
				cmd.Dir = src
				// The caller's GOFLAGS (e.g. -mod=vendor) must not apply to this tiny module.
				cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+q.OS, "GOARCH="+q.Arch, "GOFLAGS=", "GOWORK=off")
				if out, err := cmd.CombinedOutput(); err != nil {
					errs[i] = fmt.Errorf("go build %s: %v\n%s", q, err, out)
				}
			})
		}
		wg.Wait()
		fixture.err = errors.Join(errs...)
	})
	if fixture.err != nil {
		t.Fatal(fixture.err)
	}
	return filepath.Join(fixture.dir, p.Slug(), "fixture"+p.Exe())
}

// moduleWithDocs returns a module directory holding a README and a LICENSE
// plus files DefaultExtras must ignore.
func moduleWithDocs(t *testing.T) string {
	t.Helper()
	mod := t.TempDir()
	write(t, filepath.Join(mod, "README.md"), "# fixture\n")
	write(t, filepath.Join(mod, "LICENSE"), "MIT\n")
	write(t, filepath.Join(mod, "main.go"), "package main\n")
	write(t, filepath.Join(mod, "docs", "README"), "nested, not top-level\n")
	os.Mkdir(filepath.Join(mod, "COPYING.d"), 0o755)
	os.Symlink("README.md", filepath.Join(mod, "README.link"))
	return mod
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func release(t *testing.T, p matrix.Platform) (dst string, files []File) {
	t.Helper()
	bin := fixtureBinary(t, p)
	files = append([]File{{Src: bin, Name: "fixture" + p.Exe()}}, DefaultExtras(moduleWithDocs(t))...)
	ext := ".tar.gz"
	if p.OS == "windows" {
		ext = ".zip"
	}
	dst = filepath.Join(t.TempDir(), "fixture_1.2.3_"+p.Slug()+ext)
	if err := Write(t.Context(), dst, files, Options{ModTime: mtime.In(time.FixedZone("X", 5*3600))}); err != nil {
		t.Fatalf("Write(%s): %v", dst, err)
	}
	return dst, files
}

func TestTarGz(t *testing.T) {
	tools := testtool.Need(t, "tar")
	p := matrix.MustParse("linux/amd64")
	dst, _ := release(t, p)
	if got, want := filepath.Base(dst), "fixture_1.2.3_linux_amd64.tar.gz"; got != want {
		t.Errorf("archive name = %s, want %s", got, want)
	}
	raw, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	// gzip header: FLG without FNAME (0x08), MTIME 0, OS 255.
	if raw[3]&0x08 != 0 || !bytes.Equal(raw[4:8], []byte{0, 0, 0, 0}) || raw[9] != 255 {
		t.Errorf("gzip header = % x, want no name, mtime 0, OS 255", raw[:10])
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header name %q mtime %v, want empty", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		wantMode := int64(0o644)
		if h.Name == "fixture" {
			wantMode = 0o755
		}
		if h.Typeflag != tar.TypeReg || h.Mode != wantMode || h.Uid != 0 || h.Gid != 0 ||
			h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(mtime) ||
			!h.AccessTime.IsZero() || !h.ChangeTime.IsZero() || h.Format != tar.FormatUSTAR || len(h.PAXRecords) != 0 {
			t.Errorf("header %s = type %c mode %o uid %d gid %d uname %q gname %q mtime %v atime %v ctime %v format %v pax %v; want regular %o 0/0 %v USTAR",
				h.Name, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Uname, h.Gname, h.ModTime, h.AccessTime, h.ChangeTime, h.Format, h.PAXRecords, wantMode, mtime)
		}
	}
	if want := []string{"LICENSE", "README.md", "fixture"}; !slices.Equal(names, want) {
		t.Errorf("entries = %q, want %q", names, want)
	}

	list := exec.Command(tools[0], "-tvzf", dst)
	list.Env = append(os.Environ(), "TZ=UTC")
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("tar -tvzf: %v\n%s", err, out)
	}
	for _, want := range []string{"-rwxr-xr-x 0/0", "2024-01-02 03:04 fixture", "-rw-r--r-- 0/0", "README.md"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("tar -tvzf output lacks %q:\n%s", want, out)
		}
	}

	dir := t.TempDir()
	if out, err := exec.Command(tools[0], "-xzf", dst, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar -xzf: %v\n%s", err, out)
	}
	runOut, err := exec.Command(filepath.Join(dir, "fixture")).CombinedOutput()
	if err != nil || string(runOut) != "kiln fixture linux/amd64\n" {
		t.Errorf("extracted fixture printed %q, %v; want \"kiln fixture linux/amd64\\n\"", runOut, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(b) != "# fixture\n" {
		t.Errorf("extracted README.md = %q", b)
	}
}

func TestZip(t *testing.T) {
	unzip := testtool.Need(t, "unzip")[0]
	p := matrix.MustParse("windows/amd64")
	dst, files := release(t, p)
	if got, want := filepath.Base(dst), "fixture_1.2.3_windows_amd64.zip"; got != want {
		t.Errorf("archive name = %s, want %s", got, want)
	}
	zr, err := zip.OpenReader(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		wantMode := os.FileMode(0o644)
		if f.Name == "fixture.exe" {
			wantMode = 0o755
		}
		// 2024-01-02 03:04:06 UTC as MS-DOS date and time.
		if f.Mode() != wantMode || len(f.Extra) != 0 || f.ModifiedDate != 0x5822 || f.ModifiedTime != 0x1883 ||
			!f.Modified.Equal(mtime) || f.CreatorVersion>>8 != 3 || f.Method != zip.Deflate {
			t.Errorf("entry %s = mode %v extra %x dos %#x %#x modified %v creator %#x method %d; want %v, no extra, %v, unix, deflate",
				f.Name, f.Mode(), f.Extra, f.ModifiedDate, f.ModifiedTime, f.Modified, f.CreatorVersion, f.Method, wantMode, mtime)
		}
	}
	if want := []string{"LICENSE", "README.md", "fixture.exe"}; !slices.Equal(names, want) {
		t.Errorf("entries = %q, want %q", names, want)
	}

	dir := t.TempDir()
	if out, err := exec.Command(unzip, "-q", dst, "-d", dir).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, out)
	}
	for _, f := range files {
		want, _ := os.ReadFile(f.Src)
		got, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("unzipped %s differs from %s (%v)", f.Name, f.Src, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "fixture.exe")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("unzipped fixture.exe mode = %v, %v; want 0755", fi.Mode(), err)
	}
}

func TestReproducible(t *testing.T) {
	src := t.TempDir()
	write(t, filepath.Join(src, "tool"), strings.Repeat("binary ", 500))
	os.Chmod(filepath.Join(src, "tool"), 0o700)
	write(t, filepath.Join(src, "README"), "read me\n")
	files := []File{{Src: filepath.Join(src, "tool"), Name: "tool"}, {Src: filepath.Join(src, "README"), Name: "doc/README"}}
	reversed := slices.Clone(files)
	slices.Reverse(reversed)
	for _, ext := range []string{".tar.gz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			build := func(name string, files []File, mt time.Time) []byte {
				t.Helper()
				dst := filepath.Join(dir, name+ext)
				if err := Write(t.Context(), dst, files, Options{ModTime: mt}); err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(dst)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			a := build("a", files, mtime)
			// Source metadata that must not leak: file mtimes, permission
			// bits beyond "executable", the order of the input.
			os.Chtimes(filepath.Join(src, "README"), time.Now(), time.Now().Add(-time.Hour))
			os.Chmod(filepath.Join(src, "tool"), 0o751)
			b := build("b", reversed, mtime.Add(time.Second/2))
			if !bytes.Equal(a, b) {
				t.Errorf("two runs differ (%d vs %d bytes)", len(a), len(b))
			}
			c := build("c", files, mtime.Add(24*time.Hour))
			if bytes.Equal(a, c) {
				t.Errorf("a different ModTime gave identical bytes: ModTime is not used")
			}
		})
	}
}

func TestWriteRejects(t *testing.T) {
	src := filepath.Join(t.TempDir(), "f")
	write(t, src, "x")
	for _, tc := range []struct {
		name  string
		dst   string
		files []File
		want  []string
	}{
		{"no files", "a.tar.gz", nil, []string{"no files"}},
		{"suffix", "a.tar", []File{{Src: src, Name: "f"}}, []string{"unknown format"}},
		{"bad names", "a.zip", []File{
			{Src: src, Name: ""}, {Src: src, Name: "/etc/x"}, {Src: src, Name: "../x"}, {Src: src, Name: "a/../b"},
			{Src: src, Name: "a//b"}, {Src: src, Name: "./a"}, {Src: src, Name: "a/"}, {Src: src, Name: `a\b`},
			{Src: src, Name: "a\nb"}, {Src: src, Name: "."},
		}, []string{`"" : empty`, `"/etc/x": absolute`, `"../x": contains ".."`, `"a/../b": contains ".."`,
			`"a//b": not a clean`, `"./a": not a clean`, `"a/": not a clean`, `"a\\b": contains "\"`, `"a\nb": contains a control`, `".": not a clean`}},
		{"sources", "a.tar.gz", []File{
			{Src: src, Name: "ok"}, {Src: src, Name: "ok"}, {Src: src + ".missing", Name: "m"},
			{Src: filepath.Dir(src), Name: "d"}, {Src: src, Name: "s", Mode: 0o4640}, {Src: src, Name: "u", Mode: fs.ModeSetuid | 0o755},
		}, []string{`"ok": duplicate`, `"m": stat`, `"d": ` + filepath.Dir(src) + " is not a regular file", `"s": mode -rw-r-----`, `"u": mode urwxr-xr-x`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			err := Write(t.Context(), filepath.Join(dir, tc.dst), tc.files, Options{ModTime: mtime})
			if err == nil {
				t.Fatalf("Write(%s) = nil, want an error", tc.name)
			}
			for _, w := range tc.want {
				w = strings.Replace(w, `"" : `, `"": `, 1)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Write error lacks %q:\n%v", w, err)
				}
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("Write failed but left %v in the output directory", ents)
			}
		})
	}
}

// cancelAfter is a context whose Err turns into context.Canceled after n
// calls: it cancels a Write in the middle of copying a file.
type cancelAfter struct {
	context.Context
	n atomic.Int32
}

func (c *cancelAfter) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestCancel(t *testing.T) {
	src := filepath.Join(t.TempDir(), "big")
	write(t, src, strings.Repeat("0123456789", 1<<20))
	files := []File{{Src: src, Name: "big"}}
	for _, ext := range []string{".tar.gz", ".zip"} {
		t.Run(ext, func(t *testing.T) {
			before, cancel := context.WithCancel(t.Context())
			cancel()
			mid := &cancelAfter{Context: t.Context()}
			mid.n.Store(3)
			for name, ctx := range map[string]context.Context{"before": before, "mid-copy": mid} {
				dir := t.TempDir()
				dst := filepath.Join(dir, "a"+ext)
				err := Write(ctx, dst, files, Options{ModTime: mtime})
				if !errors.Is(err, context.Canceled) {
					t.Errorf("%s: Write with a cancelled context = %v, want context.Canceled", name, err)
				}
				if ents, _ := os.ReadDir(dir); len(ents) != 0 {
					t.Errorf("%s: cancelled Write left %v", name, ents)
				}
			}
			// An existing archive survives a cancelled rewrite untouched.
			dir := t.TempDir()
			dst := filepath.Join(dir, "a"+ext)
			write(t, dst, "previous")
			mid.n.Store(3)
			if err := Write(mid, dst, files, Options{ModTime: mtime}); err == nil {
				t.Errorf("Write = nil, want cancelled")
			}
			if b, _ := os.ReadFile(dst); string(b) != "previous" {
				t.Errorf("cancelled Write replaced the existing archive")
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 1 {
				t.Errorf("cancelled Write left %v", ents)
			}
		})
	}
}

func TestMultierrorCountsEntries(t *testing.T) {
	err := Write(t.Context(), filepath.Join(t.TempDir(), "a.zip"), []File{{Name: "../a"}, {Name: "/b"}, {Name: "c", Src: "/nonexistent"}}, Options{})
	var me *multierror.Error
	if !errors.As(err, &me) || len(me.Errors) != 3 {
		t.Errorf("Write with three bad entries = %v, want a multierror of 3", err)
	}
}
