package ospkg_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/targets"
	"github.com/kiln-build/kiln/targets/ospkg"
)

// buildTool builds the targets tests' little program for linux/amd64.
func buildTool(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "testdata", "tool", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"go.mod": []byte("module example.com/tool\n\ngo 1.26.0\n"), "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "tool")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func request(bin, out string) targets.OSPackageRequest {
	return targets.OSPackageRequest{Name: "tool", Version: "v1.2.3", Platform: "linux/amd64", Binaries: []targets.OSBinary{{Name: "tool", Path: bin}},
		Unit:    []byte("[Unit]\nDescription=tool\n\n[Service]\nExecStart=/usr/bin/tool\n\n[Install]\nWantedBy=multi-user.target\n"),
		ModTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), OutDir: out,
		Description: "a tool", License: "MIT", Maintainer: "Tool Makers <tool@example.invalid>"}
}

// TestPackageOS: New() writes deb, rpm and apk into the output directory
// and says where; a package tool reads them as the program at /usr/bin.
func TestPackageOS(t *testing.T) {
	bin := buildTool(t)
	ctx := context.Background()

	out := t.TempDir()
	pkgs, err := ospkg.New().PackageOS(ctx, request(bin, out))
	if err != nil {
		t.Fatal(err)
	}
	var formats []string
	for _, p := range pkgs {
		formats = append(formats, p.Format)
		if filepath.Dir(p.Path) != out {
			t.Errorf("%s package %s is not in the output directory %s", p.Format, p.Path, out)
		}
		if fi, err := os.Stat(p.Path); err != nil || fi.Size() == 0 {
			t.Errorf("%s package %s: %v", p.Format, p.Path, err)
		}
	}
	slices.Sort(formats)
	if want := []string{"apk", "deb", "rpm"}; !slices.Equal(formats, want) {
		t.Errorf("New() made %q, want %q", formats, want)
	}

	t.Run("dpkg-deb", func(t *testing.T) {
		dpkg := testtool.Need(t, "dpkg-deb")[0]
		for _, p := range pkgs {
			if p.Format != "deb" {
				continue
			}
			info, err := exec.Command(dpkg, "--field", p.Path, "Package", "Version", "Architecture").CombinedOutput()
			if err != nil {
				t.Fatalf("dpkg-deb --field: %v\n%s", err, info)
			}
			for _, w := range []string{"Package: tool", "Version: 1.2.3", "Architecture: amd64"} {
				if !strings.Contains(string(info), w) {
					t.Errorf("deb fields lack %q:\n%s", w, info)
				}
			}
			files, err := exec.Command(dpkg, "--contents", p.Path).CombinedOutput()
			if err != nil {
				t.Fatalf("dpkg-deb --contents: %v\n%s", err, files)
			}
			for _, w := range []string{"./usr/bin/tool", "./usr/lib/systemd/system/tool.service"} {
				if !strings.Contains(string(files), w) {
					t.Errorf("deb lacks %s:\n%s", w, files)
				}
			}
		}
	})

	t.Run("one format", func(t *testing.T) {
		pkgs, err := ospkg.New("deb").PackageOS(ctx, request(bin, t.TempDir()))
		if err != nil || len(pkgs) != 1 || pkgs[0].Format != "deb" {
			t.Errorf("New(\"deb\") made %+v, %v; want one deb", pkgs, err)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		bad := request(bin, t.TempDir())
		bad.Platform = "linux"
		if _, err := ospkg.New().PackageOS(ctx, bad); err == nil {
			t.Error("platform \"linux\" (no arch): no error")
		}
		if _, err := ospkg.New("msi").PackageOS(ctx, request(bin, t.TempDir())); err == nil || !strings.Contains(err.Error(), "msi") {
			t.Errorf("New(\"msi\"): %v, want an error naming the format", err)
		}
		missing := request(filepath.Join(t.TempDir(), "nothing"), t.TempDir())
		if _, err := ospkg.New().PackageOS(ctx, missing); err == nil {
			t.Error("missing binary: no error")
		}
	})
}
