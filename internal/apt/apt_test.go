package apt

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestMissing(t *testing.T) {
	bin := t.TempDir()
	other := t.TempDir()
	write := func(dir, name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(bin, "musl-gcc", 0o755)
	write(other, "qemu-aarch64-static", 0o755)
	write(bin, "notexec", 0o644)
	if err := os.Mkdir(filepath.Join(bin, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	abs := write(other, "bwrap", 0o755)

	needs := []Need{
		{"musl-gcc", "musl-tools"},
		{"qemu-aarch64-static", "qemu-user-static"},
		{"notexec", "p1"},
		{"adir", "p2"},
		{"nothere", "p3"},
		{abs, "bubblewrap"},
		{"", "p4"},
	}
	tests := []struct {
		path string
		want []Need
	}{
		{bin, []Need{needs[1], needs[2], needs[3], needs[4]}},
		{bin + string(filepath.ListSeparator) + other, []Need{needs[2], needs[3], needs[4]}},
		{"", []Need{needs[0], needs[1], needs[2], needs[3], needs[4]}},
		// relative and empty entries are not searched
		{"::relative", []Need{needs[0], needs[1], needs[2], needs[3], needs[4]}},
	}
	for _, tt := range tests {
		if got := Missing(needs, tt.path); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Missing(needs, %q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}

func TestPackagesAndLine(t *testing.T) {
	needs := []Need{{"a", "x"}, {"b", "y"}, {"c", "x"}, {"d", ""}}
	if got, want := Packages(needs), []string{"x", "y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Packages = %v, want %v", got, want)
	}
	tests := []struct {
		pkgs []string
		want string
	}{
		{[]string{"a", "b"}, "apt-get install -y --no-install-recommends a b"},
		{[]string{"a", "b", "a"}, "apt-get install -y --no-install-recommends a b"},
		{nil, "apt-get install -y --no-install-recommends"},
	}
	for _, tt := range tests {
		if got := Line(tt.pkgs); got != tt.want {
			t.Errorf("Line(%q) = %q, want %q", tt.pkgs, got, tt.want)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"file", true},
		{"g++", true},
		{"libc6-dev-arm64-cross", true},
		{"llvm-14", true},
		{"libc6-dev:arm64", true},
		{"a", false},
		{"-y", false},
		{"--allow-unauthenticated", false},
		{"Foo", false},
		{"foo bar", false},
		{"foo:", false},
		{"foo:ARM", false},
		{"", false},
		{"foo/bookworm", false},
	}
	for _, tt := range tests {
		if got := validName(tt.in); got != tt.want {
			t.Errorf("validName(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestInstallEnv(t *testing.T) {
	env := map[string]string{"PATH": "/home/u/go/bin:/usr/bin", "HOME": "/home/u", "https_proxy": "http://p:3128", "GOFLAGS": "-x"}
	got := installEnv(func(k string) string { return env[k] })
	want := []string{
		"PATH=/home/u/go/bin:/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/sbin:/bin",
		"DEBIAN_FRONTEND=noninteractive", "LC_ALL=C", "HOME=/home/u", "https_proxy=http://p:3128",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("installEnv = %q, want %q", got, want)
	}
	if got := installEnv(func(string) string { return "" })[0]; got != "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" {
		t.Errorf("installEnv(empty) PATH = %q", got)
	}
}
