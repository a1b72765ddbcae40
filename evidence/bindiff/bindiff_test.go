package bindiff

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// builds are the binaries the tests compare, all from testdata/prog.
var builds = map[string]struct {
	env  []string
	args []string
}{
	"v1":        {args: []string{"-ldflags=-X main.version=1.0.0"}},
	"v1-again":  {args: []string{"-ldflags=-X main.version=1.0.0"}},
	"v2":        {args: []string{"-ldflags=-X main.version=2.0.0"}},
	"tags":      {args: []string{"-tags=extra", "-ldflags=-X main.version=1.0.0"}},
	"win":       {env: []string{"GOOS=windows", "GOARCH=amd64"}, args: []string{"-ldflags=-X main.version=1.0.0"}},
	"win-v2":    {env: []string{"GOOS=windows", "GOARCH=amd64"}, args: []string{"-ldflags=-X main.version=2.0.0"}},
	"darwin":    {env: []string{"GOOS=darwin", "GOARCH=arm64"}, args: []string{"-ldflags=-X main.version=1.0.0"}},
	"darwin-v2": {env: []string{"GOOS=darwin", "GOARCH=arm64"}, args: []string{"-ldflags=-X main.version=2.0.0"}},
	"arm64":     {env: []string{"GOARCH=arm64"}, args: []string{"-ldflags=-X main.version=1.0.0"}},
}

var (
	buildMu  sync.Mutex
	built    = map[string]string{}
	buildDir string
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kiln-bindiff-test-")
	if err != nil {
		panic(err)
	}
	buildDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// build returns the path of the named binary, built once per run the way
// kiln builds: CGO_ENABLED=0, -trimpath, linux/amd64 unless set.
func build(t testing.TB, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds real binaries")
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if p := built[name]; p != "" {
		return p
	}
	spec := builds[name]
	out := filepath.Join(buildDir, name)
	args := append([]string{"build", "-o", out, "-trimpath"}, spec.args...)
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = filepath.Join("testdata", "prog")
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOWORK=off", "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	cmd.Env = append(cmd.Env, spec.env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	built[name] = out
	return out
}

func TestIdentical(t *testing.T) {
	d, err := ExplainFiles(build(t, "v1"), build(t, "v1-again"))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Identical || d.Offset != -1 || d.String() != "identical" {
		t.Errorf("Explain(same build twice) = %+v, want identical", d)
	}
}

// TestVersionStamp: another -X main.version differs in the program's data
// (and the build ID), not in the build info, which -trimpath keeps free of
// ldflags.
func TestVersionStamp(t *testing.T) {
	for _, pair := range [][2]string{{"v1", "v2"}, {"win", "win-v2"}, {"darwin", "darwin-v2"}} {
		t.Run(pair[0], func(t *testing.T) {
			d, err := ExplainFiles(build(t, pair[0]), build(t, pair[1]))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("Explain(%s, %s):\n%s", pair[0], pair[1], d)
			if d.Identical || d.Section == "" {
				t.Fatalf("Explain = %+v, want a difference inside a section", d)
			}
			if !realSection(t, build(t, pair[0]), d.Format, d.Section) {
				t.Errorf("Section = %q, not a section or header of the file", d.Section)
			}
			if len(d.BuildInfo) != 0 || d.NoBuildInfo != "" {
				t.Errorf("BuildInfo = %v %q, want no build info changes (ldflags are not recorded with -trimpath)", d.BuildInfo, d.NoBuildInfo)
			}
			if !strings.Contains(d.String(), "build info identical") {
				t.Errorf("String() = %q, want it to say the build info is identical", d)
			}
		})
	}
	d, _ := ExplainFiles(build(t, "v1"), build(t, "v2"))
	var data bool
	for _, s := range d.Sections {
		switch s.Name {
		case ".rodata", ".data", ".noptrdata", ".go.buildinfo":
			data = true
		}
	}
	if !data {
		t.Errorf("Sections = %v, want a data section holding the version string", d.Sections)
	}
}

// realSection reports whether name is a section of the file, or one of
// the header names bindiff uses.
func realSection(t *testing.T, path, format, name string) bool {
	switch name {
	case "ELF header", "program headers", "section headers", "PE headers", "Mach-O header", "load commands":
		return true
	}
	if format == "elf" {
		f, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		return f.Section(name) != nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l, err := readLayout(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range l.Spans {
		if s.Name == name {
			return true
		}
	}
	return false
}

// TestTags: -tags is recorded in the build info, so the difference names
// it.
func TestTags(t *testing.T) {
	d, err := ExplainFiles(build(t, "v1"), build(t, "tags"))
	if err != nil {
		t.Fatal(err)
	}
	want := Change{Field: "build -tags", A: "", B: "extra"}
	if len(d.BuildInfo) != 1 || d.BuildInfo[0] != want {
		t.Errorf("BuildInfo = %v, want [%v]", d.BuildInfo, want)
	}
	if !strings.Contains(d.String(), `build info build -tags: "" → "extra"`) {
		t.Errorf("String() = %s", d)
	}
}

// TestArch: another GOARCH differs in the ELF header and the GOARCH
// setting.
func TestArch(t *testing.T) {
	d, err := ExplainFiles(build(t, "v1"), build(t, "arm64"))
	if err != nil {
		t.Fatal(err)
	}
	if d.Section != "ELF header" {
		t.Errorf("Section = %q, want ELF header", d.Section)
	}
	found := false
	for _, c := range d.BuildInfo {
		found = found || c == Change{"build GOARCH", "amd64", "arm64"}
	}
	if !found {
		t.Errorf("BuildInfo = %v, want GOARCH amd64 → arm64", d.BuildInfo)
	}
}

// TestNotExecutable: differing inputs that are not executables are
// errors wrapping ErrNotExecutable, never panics.
func TestNotExecutable(t *testing.T) {
	good, err := os.ReadFile(build(t, "v1"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		a, b []byte
	}{
		{"text", []byte("hello"), []byte("world")},
		{"empty and ELF", nil, good},
		{"truncated ELF", good, good[:200]},
		{"ELF magic only", []byte("\x7fELF"), []byte("\x7fELG")},
		{"fat magic", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34"), []byte("\xca\xfe\xba\xbe\x00\x00\x00\x35")},
	}
	for _, tt := range tests {
		_, err := Explain(reader(tt.a), reader(tt.b))
		if !errors.Is(err, ErrNotExecutable) {
			t.Errorf("Explain(%s) = %v, want ErrNotExecutable", tt.name, err)
		}
	}
	if d, err := Explain(reader([]byte("same")), reader([]byte("same"))); err != nil || !d.Identical {
		t.Errorf("Explain(same text) = %v, %v, want identical", d, err)
	}
}

func reader(b []byte) *io.SectionReader {
	return io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b)))
}
