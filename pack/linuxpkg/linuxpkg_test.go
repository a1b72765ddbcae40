package linuxpkg

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/matrix"
)

func TestArch(t *testing.T) {
	for _, tc := range []struct {
		platform      string
		deb, rpm, apk string
	}{
		{"linux/amd64", "amd64", "x86_64", "x86_64"},
		{"linux/amd64/v3", "amd64", "x86_64", "x86_64"},
		{"linux/arm64", "arm64", "aarch64", "aarch64"},
		{"linux/arm/7", "armhf", "armv7hl", "armv7"},
		{"linux/arm", "armhf", "armv7hl", "armv7"},
		{"linux/arm/6", "armel", "armv6hl", "armhf"},
		{"linux/arm/5", "armel", "armv5tel", "armhf"},
		{"linux/386", "i386", "i686", "x86"},
		{"linux/386/softfloat", "i386", "i386", "x86"},
		{"linux/ppc64le", "ppc64el", "ppc64le", "ppc64le"},
		{"linux/s390x", "s390x", "s390x", "s390x"},
		{"linux/riscv64", "riscv64", "riscv64", "riscv64"},
		{"linux/loong64", "loong64", "loongarch64", "loongarch64"},
		{"linux/mips64le", "mips64el", "mips64el", ""},
	} {
		p := matrix.MustParse(tc.platform)
		for format, want := range map[string]string{"deb": tc.deb, "rpm": tc.rpm, "apk": tc.apk} {
			got, err := Arch(format, p)
			var ue *UnsupportedError
			switch {
			case want == "" && !errors.As(err, &ue):
				t.Errorf("Arch(%s, %s) = %q, %v; want an *UnsupportedError", format, p, got, err)
			case want != "" && (got != want || err != nil):
				t.Errorf("Arch(%s, %s) = %q, %v; want %q", format, p, got, err, want)
			}
		}
	}
	for _, p := range []string{"darwin/arm64", "windows/amd64", "freebsd/amd64"} {
		if got, err := Arch("deb", matrix.MustParse(p)); err == nil {
			t.Errorf("Arch(deb, %s) = %q, want an error", p, got)
		}
	}
	if got, err := Arch("msi", matrix.MustParse("linux/amd64")); err == nil {
		t.Errorf("Arch(msi, linux/amd64) = %q, want an error", got)
	}
}

func TestVersion(t *testing.T) {
	for _, tc := range []struct {
		in, deb, rpmBuild, apk string
	}{
		{"1.2.3", "1.2.3", "", "1.2.3"},
		{"v1.2.3", "1.2.3", "", "1.2.3"},
		{"0.0.0-dev", "0.0.0~dev", "", "0.0.0_alpha"},
		{"v1.2.3-rc.1", "1.2.3~rc.1", "", "1.2.3_rc1"},
		{"v1.2.3-beta2", "1.2.3~beta2", "", "1.2.3_beta2"},
		{"v1.2.3-alpha", "1.2.3~alpha", "", "1.2.3_alpha"},
		{"v1.2.3-4-gabc1234", "1.2.3~4-gabc1234", "", "1.2.3_alpha"},
		{"v1.2.3+git-abc", "1.2.3+git-abc", "git_abc", "1.2.3"},
		{"v0.0.0-20260102150405-abcdef123456", "0.0.0~20260102150405-abcdef123456", "", "0.0.0_alpha_git20260102150405"},
		{"v1.2.4-0.20260102150406-fedcba654321", "1.2.4~0.20260102150406-fedcba654321", "", "1.2.4_alpha_git20260102150406"},
	} {
		v, err := parseVersion(tc.in)
		if err != nil {
			t.Errorf("parseVersion(%q): %v", tc.in, err)
			continue
		}
		if got := v.deb(); got != tc.deb {
			t.Errorf("parseVersion(%q).deb() = %q, want %q", tc.in, got, tc.deb)
		}
		if got := v.rpmBuild(); got != tc.rpmBuild {
			t.Errorf("parseVersion(%q).rpmBuild() = %q, want %q", tc.in, got, tc.rpmBuild)
		}
		if got := v.apk(); got != tc.apk {
			t.Errorf("parseVersion(%q).apk() = %q, want %q", tc.in, got, tc.apk)
		}
	}
	for _, bad := range []string{"", "latest", "1.2.3.4", "v1.2.3-", "01.2.3", "v1.2"} {
		if _, err := parseVersion(bad); err == nil {
			t.Errorf("parseVersion(%q) succeeded, want an error", bad)
		}
	}
}

// TestVersionsInFileNames builds a release and a pre-release and checks
// the version each format puts in the file name.
func TestVersionsInFileNames(t *testing.T) {
	for version, want := range map[string][]string{
		"v1.4.0":      {"kiln-hello_1.4.0-2_amd64.deb", "kiln-hello-1.4.0-2.x86_64.rpm", "kiln-hello_1.4.0-r2_x86_64.apk"},
		"v1.4.0-rc.1": {"kiln-hello_1.4.0~rc.1-2_amd64.deb", "kiln-hello-1.4.0~rc.1-2.x86_64.rpm", "kiln-hello_1.4.0_rc1-r2_x86_64.apk"},
	} {
		o := options(t, "amd64", t.TempDir())
		o.Version, o.Release, o.Unit = version, "2", nil
		rs, err := Build(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, filepath.Base(r.Path))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("Build(%s) wrote %v, want %v", version, got, want)
		}
	}
}

// TestReproducible builds every format twice, from binaries at different
// paths with different modification times, and compares the bytes.
func TestReproducible(t *testing.T) {
	first := packages(t, "amd64")
	copyDir := t.TempDir()
	bin := filepath.Join(copyDir, "copy-of-binary")
	data, err := os.ReadFile(program(t, "amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(bin, time.Now(), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	o := options(t, "amd64", t.TempDir())
	o.Programs[0].Path = bin
	rs, err := Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if !sameFile(t, first[r.Format], r.Path) {
			t.Errorf("%s: two builds differ: %s and %s", r.Format, first[r.Format], r.Path)
		}
	}

	// A different ModTime must change every package: the comparison above
	// can fail.
	o.OutDir, o.ModTime = t.TempDir(), modTime.Add(time.Hour)
	rs, err = Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if sameFile(t, first[r.Format], r.Path) {
			t.Errorf("%s: builds with different ModTime are identical", r.Format)
		}
	}
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

func TestBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"missing binary", func(o *Options) { o.Programs[0].Path = filepath.Join(o.OutDir, "..", "no-such-binary") }, "no-such-binary"},
		{"empty binary", func(o *Options) { o.Programs[0].Path = "" }, "Path is empty"},
		{"no program", func(o *Options) { o.Programs = nil }, "no program to package"},
		{"program twice", func(o *Options) { o.Programs = append(o.Programs, o.Programs[0]) }, "listed twice"},
		{"binary is a directory", func(o *Options) { o.Programs[0].Path = t.TempDir() }, "not a regular file"},
		{"non-linux", func(o *Options) { o.Platform = matrix.MustParse("darwin/arm64") }, "linux only"},
		{"bad version", func(o *Options) { o.Version = "latest" }, "is not semver"},
		{"bad name", func(o *Options) { o.Name = "Kiln Hello" }, "name"},
		{"bad release", func(o *Options) { o.Release = "1a" }, "release"},
		{"bad format", func(o *Options) { o.Formats = []string{"deb", "msi"} }, "msi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			o := options(t, "amd64", out)
			tc.edit(&o)
			rs, err := Build(context.Background(), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build() = %v, %v; want an error containing %q", rs, err, tc.want)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Build() failed but created %s (%v)", out, err)
			}
		})
	}
}

// TestFormatFailuresAggregated: apk has no mips64le; deb and rpm are still
// written and the apk failure is reported.
func TestFormatFailuresAggregated(t *testing.T) {
	o := options(t, "amd64", t.TempDir())
	o.Platform = matrix.MustParse("linux/mips64le")
	rs, err := Build(context.Background(), o)
	var ue *UnsupportedError
	if !errors.As(err, &ue) || ue.Format != "apk" {
		t.Errorf("Build(linux/mips64le) error = %v, want an apk *UnsupportedError", err)
	}
	if len(rs) != 2 || rs[0].Format != "deb" || rs[1].Format != "rpm" {
		t.Errorf("Build(linux/mips64le) = %v, want the deb and the rpm", rs)
	}
	entries, _ := os.ReadDir(o.OutDir)
	if len(entries) != 2 {
		t.Errorf("OutDir holds %d entries, want 2 packages and nothing else", len(entries))
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o.OutDir = t.TempDir()
	if rs, err := Build(ctx, o); !errors.Is(err, context.Canceled) || len(rs) != 0 {
		t.Errorf("Build(cancelled) = %v, %v; want nothing and context.Canceled", rs, err)
	}
}
