package release

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
)

// cgoModule is a module whose program needs cgo (a package with C code).
func cgoModule(t *testing.T) string {
	t.Helper()
	dir := testModule(t)
	files := map[string]string{
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/tool/c\"\n)\n\nvar version = \"dev\"\n\nfunc main() { fmt.Println(\"tool\", version, c.Answer()) }\n",
		"c/c.go":  "package c\n\n// int answer(void) { return 42; }\nimport \"C\"\n\n// Answer is computed in C.\nfunc Answer() int { return int(C.answer()) }\n",
	}
	for name, data := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// pathWithout returns a PATH of one directory holding links to every
// command of /usr/bin, /bin and go's directory but the named ones.
func pathWithout(t *testing.T, drop ...string) string {
	t.Helper()
	bin := t.TempDir()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Dir(goBin), "/usr/local/bin", "/usr/bin", "/bin"} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			name := e.Name()
			if slices.Contains(drop, name) {
				continue
			}
			if _, err := os.Lstat(filepath.Join(bin, name)); err == nil {
				continue
			}
			os.Symlink(filepath.Join(dir, name), filepath.Join(bin, name))
		}
	}
	return bin
}

// TestToolchainsOnDemand: a cgo build whose C compiler is missing fails
// with the apt-get line and the opt-in; with Toolchains "install" kiln
// installs the package it names, builds again with it, and records the
// compiler in the manifest: musl-gcc for this host, mingw-w64 for
// windows/amd64.
func TestToolchainsOnDemand(t *testing.T) {
	for _, tc := range []struct {
		name, cc, pkg, platform string
		opt                     Option
	}{
		{"musl", "musl-gcc", "musl-tools", "linux/amd64", ForHost()},
		{"mingw", "x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64", "windows/amd64", WithSelector("windows/amd64")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "musl" && (runtime.GOOS != "linux" || runtime.GOARCH != "amd64") {
				t.Skip("the static cgo toolchain kiln knows for this host is linux/amd64's musl-gcc")
			}
			testToolchainOnDemand(t, tc.cc, tc.pkg, tc.platform, tc.opt)
		})
	}
}

func testToolchainOnDemand(t *testing.T, cc, pkg, platform string, opt Option) {
	real := testtool.Need(t, cc)[0]
	dir := cgoModule(t)
	bin := pathWithout(t, cc)
	t.Setenv("PATH", bin)

	resolve := func(install string, installer func(context.Context, []string) error) (*Plan, *bytes.Buffer) {
		var out bytes.Buffer
		p, err := Resolve(context.Background(), Settings{Toolchains: install}, WithDir(dir), testCache, WithOutput(&out), opt,
			WithEnv(func(string) string { return "" }))
		if err != nil {
			t.Fatal(err)
		}
		p.tools.Install = installer
		return p, &out
	}
	p, out := resolve("", nil)
	err := p.Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "apt-get install "+pkg) || !strings.Contains(err.Error(), "KILN_TOOLCHAINS=install") {
		t.Fatalf("build without %s = %v, want the apt-get line and the opt-in\n%s", cc, err, out)
	}

	var asked []string
	p, out = resolve("install", func(_ context.Context, pkgs []string) error {
		asked = append(asked, pkgs...)
		return os.Symlink(real, filepath.Join(bin, cc)) // what apt-get install does
	})
	if err := p.Build(context.Background()); err != nil {
		t.Fatalf("build with Toolchains install = %v\n%s", err, out)
	}
	if strings.Join(asked, " ") != pkg {
		t.Errorf("installed %q, want %s", asked, pkg)
	}
	if !strings.Contains(out.String(), "(cgo, "+cc+")") {
		t.Errorf("the second build did not use %s:\n%s", cc, out)
	}
	m, err := artifact.Load(p.Out)
	if err != nil {
		t.Fatal(err)
	}
	bins := m.Filter(artifact.ByKind(artifact.Binary))
	if len(bins) != 1 || bins[0].Platform().String() != platform || !bins[0].Cgo || !bins[0].Static || bins[0].CC != cc {
		t.Errorf("manifest entries %+v, want one static cgo build for %s with %s", bins, platform, cc)
	}
}

// TestDirtyRefusedInCI: in CI a tree with uncommitted changes is not
// packaged, unless KILN_ALLOW_DIRTY says so.
func TestDirtyRefusedInCI(t *testing.T) {
	p := &Plan{Version: Version{Semver: "v1.0.0+dirty", Dirty: true}, CI: true}
	if _, err := p.shipments(nil); err == nil || !strings.Contains(err.Error(), "KILN_ALLOW_DIRTY") {
		t.Errorf("dirty tree in CI: %v, want a refusal naming KILN_ALLOW_DIRTY", err)
	}
}
