package linuxpkg

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// lintianSuppressed are the lintian tags the deb is allowed to raise, each
// with the reason it cannot or should not be satisfied.
var lintianSuppressed = []string{
	// Go programs are statically linked on purpose: that is what kiln
	// builds and verifies.
	"statically-linked-binary",
	// The changelog has one entry per release and no Debian bug to close:
	// these packages are not uploads to the Debian archive.
	"initial-upload-closes-no-bugs",
	// A Go program has no manual page unless its project writes one.
	"no-manual-page",
	// The service is systemd-only by design; there is no SysV script.
	"package-supports-alternative-init-but-no-init.d-script",
}

func TestDeb(t *testing.T) {
	deb := pkg(t, "amd64", "deb", "kiln-hello_0.0.0~dev-1_amd64.deb")
	mustContain(t, "dpkg-deb --info", mustRun(t, "dpkg-deb", "--info", deb),
		"\n Package: kiln-hello\n", "\n Version: 0.0.0~dev-1\n", "\n Architecture: amd64\n",
		"\n Maintainer: Kiln Maintainers <kiln@example.com>\n", "\n Homepage: https://example.com/kiln\n",
		"\n Description: greets whoever runs it\n")
	mustContain(t, "dpkg-deb --contents", mustRun(t, "dpkg-deb", "--contents", deb),
		"-rwxr-xr-x root/root", "./usr/bin/kiln-hello\n",
		"./usr/lib/systemd/system/kiln-hello.service\n",
		"./usr/share/doc/kiln-hello/copyright\n",
		"./usr/share/doc/kiln-hello/changelog.Debian.gz\n")

	t.Run("lintian", func(t *testing.T) {
		// One run without suppressions (lintian takes ~15 s): every tag it
		// reports must be a documented suppression, and the static binary
		// must be among them, which proves that lintian ran and can fail.
		// lintian exits 2 on the E: tag; its output is what counts.
		out, _ := run(t, "lintian", "--no-cfg", "--display-info", deb)
		t.Logf("lintian:\n%s", out)
		tags := map[string]bool{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			f := strings.Fields(line)
			if len(f) < 3 {
				t.Errorf("unexpected lintian output line %q", line)
				continue
			}
			tags[f[2]] = true
			if !slices.Contains(lintianSuppressed, f[2]) {
				t.Errorf("lintian: %s", line)
			}
		}
		if !tags["statically-linked-binary"] {
			t.Errorf("lintian did not flag the static binary: it did not run properly")
		}
	})

	t.Run("install", func(t *testing.T) {
		root := t.TempDir()
		for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates"} {
			if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		mustRun(t, "dpkg", "--root="+root, "--force-script-chrootless", "--log=/dev/null", "-i", deb)
		if out := mustRun(t, filepath.Join(root, "usr/bin", testName)); strings.TrimSpace(out) != greeting {
			t.Errorf("installed program printed %q, want %q", out, greeting)
		}
		if _, err := os.Stat(filepath.Join(root, "usr/lib/systemd/system", testName+".service")); err != nil {
			t.Errorf("unit not installed: %v", err)
		}
		status := mustRun(t, "dpkg", "--root="+root, "-s", testName)
		if !strings.Contains(status, "Status: install ok installed") {
			t.Errorf("dpkg -s after install:\n%s", status)
		}
	})
}

func TestRPM(t *testing.T) {
	rpm := pkg(t, "amd64", "rpm", "kiln-hello-0.0.0~dev-1.x86_64.rpm")
	mustContain(t, "rpm -qip", mustRun(t, "rpm", "-qip", rpm),
		"Name        : kiln-hello\n", "Version     : 0.0.0~dev\n", "Release     : 1\n",
		"Architecture: x86_64\n", "License     : MIT\n", "Vendor      : Kiln\n",
		"URL         : https://example.com/kiln\n", "Summary     : greets whoever runs it\n",
		"Build Host  : localhost\n", "Build Date  : Fri Mar  1 12:00:00 2024\n")

	t.Run("digests", func(t *testing.T) {
		mustContain(t, "rpm -Kv", mustRun(t, "rpm", "-Kv", rpm), "Header SHA256 digest: OK", "Payload SHA256 digest: OK")
		// A flipped byte in the payload must fail the check.
		data, err := os.ReadFile(rpm)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)-100] ^= 0xff
		bad := filepath.Join(t.TempDir(), "bad.rpm")
		if err := os.WriteFile(bad, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := run(t, "rpm", "-Kv", bad); err == nil {
			t.Errorf("rpm -Kv accepted a corrupted package:\n%s", out)
		}
	})

	t.Run("install", func(t *testing.T) {
		root := t.TempDir()
		mustRun(t, "rpm", "--root", root, "--initdb")
		mustRun(t, "rpm", "--root", root, "-ivh", "--nodeps", rpm)
		bin := filepath.Join(root, "usr/bin", testName)
		if out := mustRun(t, bin); strings.TrimSpace(out) != greeting {
			t.Errorf("installed program printed %q, want %q", out, greeting)
		}
		list := mustRun(t, "rpm", "--root", root, "-ql", testName)
		if !strings.Contains(list, "/usr/lib/systemd/system/kiln-hello.service\n") {
			t.Errorf("rpm -ql lacks the unit:\n%s", list)
		}
		if out, err := run(t, "rpm", "-V", "--root", root, testName); err != nil {
			t.Errorf("rpm -V of a fresh install: %v\n%s", err, out)
		}
		if err := os.WriteFile(bin, []byte("#!/bin/sh\necho tampered\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		if out, err := run(t, "rpm", "-V", "--root", root, testName); err == nil {
			t.Errorf("rpm -V did not notice a modified binary:\n%s", out)
		}
	})
}

func TestAPK(t *testing.T) {
	apk := pkg(t, "amd64", "apk", "kiln-hello_0.0.0_alpha-r1_x86_64.apk")
	mustContain(t, "tar -tzvf", mustRun(t, "tar", "-tzvf", apk),
		".PKGINFO\n", "-rwxr-xr-x root/root", " usr/bin/kiln-hello\n", " usr/lib/systemd/system/kiln-hello.service\n")
	pkginfo := mustRun(t, "tar", "-xzOf", apk, ".PKGINFO")
	mustContain(t, ".PKGINFO", pkginfo, "pkgname = kiln-hello\n", "pkgver = 0.0.0_alpha-r1\n",
		"arch = x86_64\n", "pkgdesc = greets whoever runs it\n", "license = MIT\n")
	for _, line := range strings.Split(strings.TrimSpace(pkginfo), "\n") {
		if !strings.Contains(line, " = ") {
			t.Errorf(".PKGINFO line %q is not key = value", line)
		}
	}
}

// TestArm64 checks the architecture names inside each package of a
// foreign platform.
func TestArm64(t *testing.T) {
	p := map[string]string{
		"deb": pkg(t, "arm64", "deb", "kiln-hello_0.0.0~dev-1_arm64.deb"),
		"rpm": pkg(t, "arm64", "rpm", "kiln-hello-0.0.0~dev-1.aarch64.rpm"),
		"apk": pkg(t, "arm64", "apk", "kiln-hello_0.0.0_alpha-r1_aarch64.apk"),
	}
	if info := mustRun(t, "dpkg-deb", "--field", p["deb"], "Architecture"); strings.TrimSpace(info) != "arm64" {
		t.Errorf("deb Architecture = %q, want arm64", info)
	}
	if arch := mustRun(t, "rpm", "-qp", "--qf", "%{ARCH}", p["rpm"]); arch != "aarch64" {
		t.Errorf("rpm ARCH = %q, want aarch64", arch)
	}
	if pkginfo := mustRun(t, "tar", "-xzOf", p["apk"], ".PKGINFO"); !strings.Contains(pkginfo, "arch = aarch64\n") {
		t.Errorf(".PKGINFO has no arch = aarch64:\n%s", pkginfo)
	}
	bin := mustRun(t, "file", "-b", program(t, "arm64"))
	if !strings.Contains(bin, "ARM aarch64") || !strings.Contains(bin, "statically linked") {
		t.Errorf("arm64 test binary: %s", bin)
	}
}

// mustContain reports each wanted string that the output of what lacks.
func mustContain(t *testing.T, what, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, out)
		}
	}
}

// pkg returns the test package of format for goarch, checking its file
// name.
func pkg(t *testing.T, goarch, format, wantName string) string {
	t.Helper()
	p := packages(t, goarch)[format]
	if got := filepath.Base(p); got != wantName {
		t.Errorf("%s file name = %s, want %s", format, got, wantName)
	}
	return p
}
