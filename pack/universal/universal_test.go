package universal_test

import (
	"bytes"
	"debug/macho"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/universal"
	"github.com/kiln-build/kiln/verify"
)

// The tests join real darwin/amd64 and darwin/arm64 builds of a small
// program, built once per test binary run.
var (
	tmpRoot string
	builds  struct {
		once  sync.Once
		paths map[string]string
		err   error
	}
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "universal-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// darwin returns the paths of the darwin/amd64 and darwin/arm64 builds.
func darwin(t testing.TB) (amd64, arm64 string) {
	t.Helper()
	builds.once.Do(func() {
		src := filepath.Join(tmpRoot, "src")
		builds.err = testtool.WriteFiles(src, map[string]string{
			"go.mod":  "module example.com/hello\n\ngo 1.26\n",
			"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
		})
		builds.paths = map[string]string{}
		for _, arch := range []string{"amd64", "arm64"} {
			if builds.err != nil {
				return
			}
			out := filepath.Join(tmpRoot, "hello-"+arch)
			builds.err = testtool.GoBuild(src, out, []string{"GOOS=darwin", "GOARCH=" + arch, "CGO_ENABLED=0"}, "-trimpath", "-ldflags=-s -w", ".")
			builds.paths[arch] = out
		}
	})
	if builds.err != nil {
		t.Fatal(builds.err)
	}
	return builds.paths["amd64"], builds.paths["arm64"]
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestJoin: the universal file holds both slices unchanged, lipo's layout,
// whatever the argument order; verify inspects every slice (arch, linkage,
// build info, code signature) and go version -m reads it.
func TestJoin(t *testing.T) {
	amd64, arm64 := darwin(t)
	out := filepath.Join(t.TempDir(), "hello")
	layout, err := universal.JoinFiles(out, arm64, amd64)
	if err != nil {
		t.Fatal(err)
	}
	want := []universal.Slice{
		{CPU: uint32(macho.CpuAmd64), SubCPU: 3, Arch: "amd64", Align: 12, Offset: 4096, Size: uint64(len(read(t, amd64)))},
		{CPU: uint32(macho.CpuArm64), SubCPU: 0, Arch: "arm64", Align: 14},
	}
	want[1].Offset = (4096 + want[0].Size + 1<<14 - 1) &^ (1<<14 - 1)
	want[1].Size = uint64(len(read(t, arm64)))
	if fmt.Sprint(layout) != fmt.Sprint(want) {
		t.Errorf("JoinFiles layout = %+v\nwant %+v", layout, want)
	}
	data := read(t, out)
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("mode of %s: %v %v, want 0755", out, fi.Mode(), err)
	}

	// Independent reader: debug/macho's fat parser, slice bytes unchanged.
	ff, err := macho.NewFatFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range ff.Arches {
		src := map[macho.Cpu]string{macho.CpuAmd64: amd64, macho.CpuArm64: arm64}[a.Cpu]
		if a.Offset != uint32(want[i].Offset) || !bytes.Equal(data[a.Offset:a.Offset+a.Size], read(t, src)) {
			t.Errorf("slice %d (%v at %d) differs from %s", i, a.Cpu, a.Offset, src)
		}
	}

	// The other argument order, and Join on bytes: the same file.
	var buf bytes.Buffer
	if _, err := universal.Join(&buf, read(t, amd64), read(t, arm64)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), data) {
		t.Error("Join(amd64, arm64) differs from JoinFiles(arm64, amd64)")
	}

	rep, err := verify.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Format != "macho-universal" || len(rep.Slices) != 2 {
		t.Fatalf("verify: %+v, want a universal Mach-O with 2 slices", rep)
	}
	for _, s := range rep.Slices {
		if s.GoVersion == "" || s.Main != "example.com/hello" || s.Settings["GOARCH"] != s.Arch || !s.Static {
			t.Errorf("verify slice %s: Go %q, main %q, GOARCH %q, static %v", s.Arch, s.GoVersion, s.Main, s.Settings["GOARCH"], s.Static)
		}
		if s.Arch == "arm64" && (s.Signature == nil || s.Signature.Problem != "") {
			t.Errorf("verify: the arm64 slice's signature does not hold: %v", s.Signature)
		}
	}
	for _, p := range []string{"darwin/amd64", "darwin/arm64"} {
		if err := verify.Check(rep, verify.Expect{Platform: matrix.MustParse(p), Static: true}); err != nil {
			t.Errorf("verify.Check(%s): %v", p, err)
		}
	}

	b, err := exec.Command("go", "version", "-m", out).CombinedOutput()
	if err != nil || !strings.Contains(string(b), "path\texample.com/hello") {
		t.Errorf("go version -m: %v\n%s", err, b)
	}
}

// TestLikeLipo: the output is byte for byte what llvm-lipo -create writes.
func TestLikeLipo(t *testing.T) {
	lipo := testtool.Need(t, "llvm-lipo-14")[0]
	amd64, arm64 := darwin(t)
	dir := t.TempDir()
	theirs := filepath.Join(dir, "lipo")
	if b, err := exec.Command(lipo, "-create", "-output", theirs, amd64, arm64).CombinedOutput(); err != nil {
		t.Fatalf("llvm-lipo-14: %v\n%s", err, b)
	}
	ours := filepath.Join(dir, "ours")
	if _, err := universal.JoinFiles(ours, amd64, arm64); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(read(t, ours), read(t, theirs)) {
		t.Error("JoinFiles output differs from llvm-lipo -create")
	}
}

// TestBadInputs: inputs that cannot make a universal file are refused,
// all at once, naming each, and nothing is written.
func TestBadInputs(t *testing.T) {
	amd64, arm64 := darwin(t)
	dir := t.TempDir()
	fat := filepath.Join(dir, "fat")
	if _, err := universal.JoinFiles(fat, amd64, arm64); err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("release notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		inputs []string
		want   []string
	}{
		{"no slices", nil, []string{"no slices to join"}},
		{"same arch twice", []string{arm64, amd64, arm64},
			[]string{arm64 + ": a second arm64 slice (slice 1 is arm64 too): a universal binary holds one per architecture"}},
		{"already universal", []string{fat, amd64}, []string{fat + ": not a thin Mach-O file: already a universal file"}},
		{"text and missing", []string{text, filepath.Join(dir, "missing")},
			[]string{text + ": not a thin Mach-O file", filepath.Join(dir, "missing") + ": open"}},
		{"truncated", []string{truncated(t, arm64, 200)}, []string{"not a thin Mach-O file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			_, err := universal.JoinFiles(out, tt.inputs...)
			if err == nil {
				t.Fatal("JoinFiles succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
			var ie *universal.InputError
			if len(tt.inputs) > 0 && !errors.As(err, &ie) {
				t.Errorf("error %v holds no *InputError", err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed join", out)
			}
		})
	}
}

func truncated(t *testing.T, path string, n int) string {
	out := filepath.Join(t.TempDir(), "truncated")
	if err := os.WriteFile(out, read(t, path)[:n], 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzJoin: hostile inputs never panic; whatever Join accepts, debug/macho
// reads back as a universal file holding the inputs unchanged.
//
//	go test -run='^$' -fuzz=FuzzJoin -fuzztime=20s ./pack/universal
func FuzzJoin(f *testing.F) {
	f.Add([]byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01"), []byte("\xca\xfe\xba\xbe"))
	if !fuzzWorker() {
		amd64, arm64 := darwin(f)
		a, b := read(f, amd64), read(f, arm64)
		f.Add(a[:4096], b[:4096])
		f.Add(a, b)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var buf bytes.Buffer
		layout, err := universal.Join(&buf, a, b)
		if err != nil {
			return
		}
		ff, err := macho.NewFatFile(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("Join output does not parse: %v", err)
		}
		if len(ff.Arches) != 2 || len(layout) != 2 {
			t.Fatalf("%d arches, layout %v", len(ff.Arches), layout)
		}
		for _, s := range layout {
			got := buf.Bytes()[s.Offset : s.Offset+s.Size]
			if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
				t.Fatalf("slice at %d is neither input", s.Offset)
			}
		}
	})
}

// fuzzWorker reports whether this process is a fuzz worker, which only
// runs the inputs the coordinator sends and needs no seeds.
func fuzzWorker() bool {
	fl := flag.Lookup("test.fuzzworker")
	return fl != nil && fl.Value.String() == "true"
}
