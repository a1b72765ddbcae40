package verify

import (
	"bytes"
	"debug/elf"
	"errors"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

// TestHostile feeds broken and non-binary files to ReadFile: each is a
// clear error wrapping ErrNotExecutable, never a panic.
func TestHostile(t *testing.T) {
	t.Parallel()
	static, err := os.ReadFile(bin(t, "static"))
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.ReadFile(bin(t, "win-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	macho, err := os.ReadFile(bin(t, "darwin-arm64"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.NewFile(bytes.NewReader(static))
	if err != nil {
		t.Fatal(err)
	}
	// Random bytes over the section header table.
	shoff := int(f.ByteOrder.Uint64(static[0x28:]))
	corruptShdrs := scribble(static, shoff, 64*20, 1)

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not an executable: empty file"},
		{"short", []byte("\x7fE"), "not an executable: file too short (2 bytes)"},
		{"text", []byte("package main\n\nfunc main() {}\n"), `not an executable: text file (starts with "package main\n\nfu")`},
		{"script", []byte("#!/bin/sh\necho hi\n"), "not an executable: script, not a binary"},
		{"unknown binary", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "not an executable: unknown format (magic 00 01 02 03)"},
		{"truncated ELF", static[:100], "not an executable: corrupt ELF file"},
		{"ELF section headers scribbled", corruptShdrs, "not an executable: corrupt ELF file"},
		{"truncated PE", exe[:200], "not an executable: corrupt PE file"},
		{"truncated Mach-O", macho[:100], "not an executable: corrupt Mach-O file"},
		{"fat magic of a Java class", []byte("\xca\xfe\xba\xbe\x00\x00\x00\x34rest of a class file"), "not an executable: corrupt universal Mach-O file"},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-"))
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := ReadFile(path)
			if err == nil {
				t.Fatalf("ReadFile(%s) = %+v, want an error", tt.name, r)
			}
			if !errors.Is(err, ErrNotExecutable) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("ReadFile(%s) = %q, want ErrNotExecutable containing the path and %q", tt.name, err, tt.want)
			}
		})
	}

	// Random bytes in the middle of the file (code and data): either a
	// report or a clear error, never a panic.
	for seed := range uint64(20) {
		data := scribble(static, len(static)/2, 4096, seed)
		if _, err := Read(bytes.NewReader(data)); err != nil && !errors.Is(err, ErrNotExecutable) {
			t.Errorf("Read(scribbled, seed %d) = %v, want nil or ErrNotExecutable", seed, err)
		}
	}

	if _, err := ReadFile(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("ReadFile(directory) = %v, want a directory error", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want ErrNotExist", err)
	}
}

// scribble returns a copy of data with n random bytes written at off.
func scribble(data []byte, off, n int, seed uint64) []byte {
	out := bytes.Clone(data)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := off; i < off+n && i < len(out); i++ {
		out[i] = byte(rng.Uint32())
	}
	return out
}

// FuzzRead checks that Read, StaticError and Check never panic and that
// every Read error is an ErrNotExecutable. Seeds are real binaries built by
// the tests (ELF static, dynamic and PIE, PE, Mach-O, universal) plus
// hand-made headers.
//
//	go test -run='^$' -fuzz=FuzzRead -fuzztime=20s ./verify
func FuzzRead(f *testing.F) {
	for _, s := range [][]byte{nil, []byte("\x7fELF"), []byte("MZ"), []byte("\xca\xfe\xba\xbe\x00\x00\x00\x02"),
		[]byte("\xcf\xfa\xed\xfe\x0c\x00\x00\x01"), []byte("#!/bin/sh\n")} {
		f.Add(s)
	}
	// Fuzz workers only run inputs the coordinator sends them: only the
	// coordinator (and a plain go test) needs the real binaries.
	if fl := flag.Lookup("test.fuzzworker"); fl == nil || fl.Value.String() != "true" {
		for _, name := range []string{"static", "pie", "cgo-glibc", "linux-arm7", "win-amd64", "darwin-arm64"} {
			if _, ok := builds[name]; !ok {
				continue
			}
			data, err := os.ReadFile(bin(f, name))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
			f.Add(data[:min(len(data), 4096)])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Read(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotExecutable) {
				t.Fatalf("Read error %v is not ErrNotExecutable", err)
			}
			return
		}
		if (r.StaticError() == nil) != r.Static {
			t.Fatalf("Static = %v but StaticError() = %v", r.Static, r.StaticError())
		}
		_ = Check(r, Expect{Platform: matrix.Platform{OS: "linux", Arch: "arm", Variant: "7"}, Static: true, Cgo: new(bool), Tags: []string{"netgo"}})
	})
}
