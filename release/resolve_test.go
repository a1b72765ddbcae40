package release

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/linuxpkg"
	"github.com/kiln-build/kiln/pack/ospackage"
)

// TestResolveRefuses: values that would make bad file names or silently
// mean something else are errors that say what to do.
func TestResolveRefuses(t *testing.T) {
	dir := testModule(t)
	for _, tc := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"KILN_NAME": "con"}, []string{"device name on windows"}},
		{map[string]string{"KILN_NAME": "NUL.txt"}, []string{"device name on windows"}},
		{map[string]string{"KILN_NAME": "lpt1"}, []string{"device name on windows"}},
		{map[string]string{"KILN_NAME": "x.exe"}, []string{"drop the .exe"}},
		{map[string]string{"KILN_NAME": "../x"}, []string{"want a file name"}},
		{map[string]string{"KILN_MATRIX": ",,"}, []string{"KILN_MATRIX", "names no platform"}},
		{map[string]string{"KILN_MATRIX": " , "}, []string{"names no platform"}},
		{map[string]string{"KILN_MATRIX": "LINUX/AMD64"}, []string{"lower case", `"linux/amd64"`}},
		{map[string]string{"KILN_MATRIX": "linux/*,!linux/*"}, []string{"selects no platform"}},
		{map[string]string{"KILN_MAIN": "../elsewhere"}, []string{"outside the module"}},
		{map[string]string{"KILN_MAIN": " , "}, []string{"KILN_MAIN", "names no package"}},
		{map[string]string{"KILN_LOCK": "maybe"}, []string{"KILN_LOCK"}},
		{map[string]string{"KILN_TOOLCHAINS": "yes"}, []string{"KILN_TOOLCHAINS"}},
		{map[string]string{"KILN_ALLOW_DIRTY": "perhaps"}, []string{"KILN_ALLOW_DIRTY"}},
		{map[string]string{"SOURCE_DATE_EPOCH": "253402300800"}, []string{`SOURCE_DATE_EPOCH="253402300800"`, "after 9999-12-31"}},
		{map[string]string{"SOURCE_DATE_EPOCH": "-1"}, []string{"SOURCE_DATE_EPOCH", "whole seconds"}},
	} {
		_, err := Resolve(context.Background(), Settings{}, WithDir(dir), testCache, WithOutput(&bytes.Buffer{}),
			WithEnv(func(k string) string { return tc.env[k] }))
		if err == nil {
			t.Errorf("Resolve with %v succeeded, want an error", tc.env)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("Resolve with %v = %q, want it to say %q", tc.env, err, w)
			}
		}
	}
}

// TestNames: a root main package keeps today's names; the Dockerfile
// carries the version, so a later release cannot overwrite a file an
// earlier checksums file covers.
func TestNames(t *testing.T) {
	dir := testModule(t)
	p, err := Resolve(context.Background(), Settings{}, WithDir(dir), testCache, WithOutput(&bytes.Buffer{}),
		WithEnv(func(k string) string {
			return map[string]string{"KILN_VERSION": "v1.2.3", "KILN_MATRIX": "linux/arm/7,windows/amd64"}[k]
		}))
	if err != nil {
		t.Fatal(err)
	}
	arm, win := p.Platforms[0], p.Platforms[1]
	b := p.Binaries[0]
	for got, want := range map[string]string{
		p.BinaryPath(b, arm):        "tool_linux_arm_7/tool",
		p.BinaryPath(b, win):        "tool_windows_amd64/tool.exe",
		p.ArchivePath(arm):          "tool_1.2.3_linux_arm_7.tar.gz",
		p.ArchivePath(win):          "tool_1.2.3_windows_amd64.zip",
		p.ChecksumsPath():           "tool_1.2.3_checksums.txt",
		p.ImagePath():               "tool_1.2.3_oci.tar",
		p.DockerfilePath():          "tool_1.2.3.Dockerfile",
		p.ImageTag():                "1.2.3",
		p.Version.Semver:            "v1.2.3",
		b.ImportPath + " " + b.Name: "example.com/tool tool",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}

// namesPackager is an ospackage.Packager that checks names by linuxpkg's rule, as
// targets/ospkg does (which this package's tests cannot import).
type namesPackager struct{}

func (namesPackager) PackageOS(context.Context, ospackage.Request) ([]ospackage.Package, error) {
	return nil, nil
}
func (namesPackager) CheckNames(name string, bins []string) error {
	return linuxpkg.CheckNames(name, bins)
}

// TestResolveRefusesPackageNames: a project name the deb/rpm/apk packages
// refuse is refused when the plan is resolved, not after build and verify.
func TestResolveRefusesPackageNames(t *testing.T) {
	dir := testModule(t)
	s := Settings{Project: "My_Tool", Package: PackageSettings{OSPackages: namesPackager{}}}
	_, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&bytes.Buffer{}), WithEnv(func(string) string { return "" }))
	if err == nil || !strings.Contains(err.Error(), "Config.Package.OSPackages") || !strings.Contains(err.Error(), `name "My_Tool": want lower case`) {
		t.Errorf("Resolve with project My_Tool and OS packages = %v, want the package name rule", err)
	}
	s.Project = "my-tool"
	if _, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&bytes.Buffer{}), WithEnv(func(string) string { return "" })); err != nil {
		t.Errorf("Resolve with project my-tool and OS packages = %v", err)
	}
}

// TestResolveNamesTheSetting: a bad name is refused naming the setting
// the user set (the variable or the field), never another one.
func TestResolveNamesTheSetting(t *testing.T) {
	dir := testModule(t)
	for _, tc := range []struct {
		name      string
		s         Settings
		env       map[string]string
		want, not string
	}{
		{"KILN_NAME", Settings{}, map[string]string{"KILN_NAME": "a/b"}, `KILN_NAME="a/b"`, "Config."},
		{"KILN_NAME over Config.Name", Settings{Name: "ok"}, map[string]string{"KILN_NAME": "a/b"}, `KILN_NAME="a/b"`, "Config."},
		{"KILN_NAME with Config.Project", Settings{Project: "proj"}, map[string]string{"KILN_NAME": "a/b"}, `KILN_NAME="a/b"`, "Config."},
		{"Config.Name", Settings{Name: "a/b"}, nil, `Config.Name "a/b"`, "KILN_NAME"},
		{"Config.Project", Settings{Project: "a/b", Name: "ok"}, nil, `Config.Project "a/b"`, "Name"},
		{"KILN_CGO", Settings{}, map[string]string{"KILN_CGO": "maybe"}, `KILN_CGO="maybe"`, "Config."},
		{"Config.Cgo", Settings{Cgo: "maybe"}, nil, `Config.Cgo "maybe"`, "KILN_CGO"},
		{"KILN_TOOLCHAINS", Settings{}, map[string]string{"KILN_TOOLCHAINS": "yes"}, `KILN_TOOLCHAINS="yes"`, "Config."},
		{"Config.Toolchains", Settings{Toolchains: "yes"}, nil, `Config.Toolchains "yes"`, "KILN_TOOLCHAINS"},
		{"KILN_VERSION", Settings{}, map[string]string{"KILN_VERSION": "banana"}, `KILN_VERSION="banana"`, "Config."},
		{"Config.Version", Settings{Version: "banana"}, nil, `Config.Version "banana"`, "KILN_VERSION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Resolve(context.Background(), tc.s, WithDir(dir), testCache, WithOutput(&bytes.Buffer{}),
				WithEnv(func(k string) string { return tc.env[k] }))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.not) {
				t.Errorf("Resolve = %v, want it to name %s and not %s", err, tc.want, tc.not)
			}
		})
	}
}

// TestMissingMainFailsFirst: a main package that does not exist is an
// error of the plan naming the setting, before any warning about the
// program (its version variable) is printed.
func TestMissingMainFailsFirst(t *testing.T) {
	dir := testModule(t)
	for _, tc := range []struct {
		name string
		s    Settings
		env  map[string]string
		want string
	}{
		{"KILN_MAIN", Settings{}, map[string]string{"KILN_MAIN": "./nope"}, `KILN_MAIN="./nope"`},
		{"Config.Main", Settings{Main: "./nope"}, nil, `Config.Main "./nope"`},
		{"Config.Binaries", Settings{Binaries: []Binary{{Main: "."}, {Main: "./cmd/nope"}}}, nil, `Config.Binaries[1].Main "./cmd/nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			p, err := Resolve(context.Background(), tc.s, WithDir(dir), testCache, WithOutput(&out),
				WithEnv(func(k string) string { return map[string]string{"KILN_MATRIX": "linux/amd64"}[k] + tc.env[k] }))
			if err == nil {
				err = p.Build(context.Background())
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "no such directory") {
				t.Errorf("a missing main package = %v, want an error naming %s\n%s", err, tc.want, out.String())
			}
			if strings.Contains(out.String(), "warning") || strings.Contains(out.String(), "declare") {
				t.Errorf("a warning was printed for a missing main package:\n%s", out.String())
			}
		})
	}
}

var writeModule = releasetest.WriteModule

// resolveIn resolves the plan of s for dir with env; the output is what
// it printed.
func resolveIn(t *testing.T, dir string, s Settings, env map[string]string) (*Plan, string, error) {
	t.Helper()
	var out bytes.Buffer
	p, err := Resolve(context.Background(), s, WithDir(dir), testCache, WithOutput(&out), WithEnv(func(k string) string { return env[k] }))
	return p, out.String(), err
}

func mustResolve(t *testing.T, dir string, s Settings, env map[string]string) *Plan {
	t.Helper()
	p, out, err := resolveIn(t, dir, s, env)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return p
}

// TestKilnCgoDecides: KILN_CGO is the cgo decision of every binary,
// named as the one who made it, over the release config's CGO_ENABLED=0.
func TestKilnCgoDecides(t *testing.T) {
	dir := writeModule(t, releasetest.ReleaseModule())
	env := map[string]string{"KILN_MATRIX": "linux/amd64,darwin/arm64", "KILN_VERSION": "1.2.3", "KILN_CGO": "on"}
	linux := matrix.MustParse("linux/amd64")
	p := mustResolve(t, dir, Settings{}, env)
	if bb := p.Binaries[0].Builds[linux]; bb.Cgo != gobuild.CgoOn || bb.CgoBy != "KILN_CGO" {
		t.Errorf("with KILN_CGO=on: %s", bb.Decision())
	}
}

// TestMainBinary: the image and the service run the binary named after
// the project, not the alphabetically first; without one, the first.
func TestMainBinary(t *testing.T) {
	env := map[string]string{"KILN_MATRIX": "linux/amd64", "KILN_VERSION": "1.2.3"}
	s := Settings{Package: PackageSettings{Service: &Service{}}}
	p := mustResolve(t, writeModule(t, map[string]string{"cmd/admin/main.go": releasetest.CmdMain, "cmd/tool/main.go": releasetest.CmdMain}), s, env)
	if p.Binaries[0].Name != "admin" || p.PackageWith.Entrypoint != "tool" || p.PackageWith.Service.ExecStart != "/usr/bin/tool" {
		t.Errorf("binaries %s, %s: entrypoint %q, ExecStart %q; want tool", p.Binaries[0].Name, p.Binaries[1].Name, p.PackageWith.Entrypoint, p.PackageWith.Service.ExecStart)
	}
	p = mustResolve(t, writeModule(t, map[string]string{"cmd/admin/main.go": releasetest.CmdMain, "cmd/toold/main.go": releasetest.CmdMain}), s, env)
	if p.PackageWith.Entrypoint != "admin" {
		t.Errorf("entrypoint %q, want the first binary, admin", p.PackageWith.Entrypoint)
	}
}

// TestEntrypointRefused: an image entrypoint that is none of the
// binaries is refused naming the setting and the binaries.
func TestEntrypointRefused(t *testing.T) {
	s := Settings{Package: PackageSettings{Image: Image{Entrypoint: "nope"}}}
	_, _, err := resolveIn(t, testModule(t), s, map[string]string{"KILN_MATRIX": "linux/amd64"})
	if want := `Config.Package.Image.Entrypoint "nope" is none of the binaries (tool)`; err == nil || err.Error() != want {
		t.Errorf("Resolve with entrypoint nope = %v, want %s", err, want)
	}
}

// TestShardsAgree: what the module ships is read for the whole matrix, so
// the shards together build exactly the (binary, platform) pairs of one
// run: a binary the release config builds for one platform is not built
// on another shard's platforms.
func TestShardsAgree(t *testing.T) {
	dir := writeModule(t, releasetest.ReleaseModule())
	env := map[string]string{"KILN_MATRIX": "linux/amd64,darwin/arm64,windows/amd64", "KILN_VERSION": "1.2.3"}
	pairs := func(p *Plan) []string {
		var out []string
		for _, b := range p.Binaries {
			for _, pl := range b.Platforms {
				out = append(out, b.Name+" "+pl.String())
			}
		}
		return out
	}
	whole := pairs(mustResolve(t, dir, Settings{}, env))
	var sharded []string
	for _, shard := range []string{"1/3", "2/3", "3/3"} {
		env["KILN_SHARD"] = shard
		sharded = append(sharded, pairs(mustResolve(t, dir, Settings{}, env))...)
	}
	slices.Sort(whole)
	slices.Sort(sharded)
	if !slices.Equal(whole, sharded) {
		t.Errorf("the shards build %q, one run %q", sharded, whole)
	}
}
