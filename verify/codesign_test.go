package verify

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// TestCodeSignature: Go's ad-hoc signed darwin/arm64 output passes, with
// every page hash checked; the same binary without its LC_CODE_SIGNATURE,
// or with a byte changed after signing, fails with the reason macOS kills
// it and what to do. darwin/amd64 (which Go does not sign) needs none.
func TestCodeSignature(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	signed, err := os.ReadFile(bin(t, "darwin-arm64-s"))
	if err != nil {
		t.Fatal(err)
	}
	unsigned := write("unsigned", removeCodeSignature(t, signed))
	changed := patched(t, "darwin-arm64-s", "hello", "jello")

	tests := []struct {
		name     string
		path     string
		platform string
		signed   bool   // Report.Signature set
		problem  string // substring of Signature.Problem
		err      string // substring of SignatureError and Check; "" = none
	}{
		{"go build", bin(t, "darwin-arm64"), "darwin/arm64", true, "", ""},
		{"go build -s -w", bin(t, "darwin-arm64-s"), "darwin/arm64", true, "", ""},
		{"amd64 is not signed by Go", bin(t, "darwin-amd64"), "darwin/amd64", false, "", ""},
		{"signature removed", unsigned, "darwin/arm64", false, "",
			"darwin/arm64 binary has no code signature (no LC_CODE_SIGNATURE): macOS on Apple silicon kills unsigned arm64 programs at launch"},
		{"byte changed after signing", changed, "darwin/arm64", true, "does not match its hash: the file changed after it was signed",
			"the code signature does not hold (page "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ReadFile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if (r.Signature != nil) != tt.signed {
				t.Fatalf("Signature = %v, want signed %v", r.Signature, tt.signed)
			}
			if s := r.Signature; s != nil {
				if !s.AdHoc || s.Hash != "sha256" || s.Pages < 100 || s.Identifier == "" {
					t.Errorf("Signature = %+v, want Go's ad-hoc sha256 signature of every page", s)
				}
				if tt.problem == "" && s.Problem != "" || !strings.Contains(s.Problem, tt.problem) {
					t.Errorf("Signature.Problem = %q, want %q", s.Problem, tt.problem)
				}
			}
			sigErr := r.SignatureError()
			checkErr := Check(r, Expect{Platform: matrix.MustParse(tt.platform), Static: true})
			if tt.err == "" {
				if sigErr != nil || checkErr != nil {
					t.Fatalf("SignatureError() = %v, Check = %v; want none", sigErr, checkErr)
				}
				return
			}
			var se *SignatureError
			if !errors.As(sigErr, &se) || !errors.As(checkErr, &se) {
				t.Fatalf("SignatureError() = %v, Check = %v; want a *SignatureError from both", sigErr, checkErr)
			}
			for _, want := range []string{tt.err, tt.path, "codesign -s - FILE", "rcodesign sign FILE", "no strip, -X rewriting tool or packer"} {
				if !strings.Contains(checkErr.Error(), want) {
					t.Errorf("Check error does not say %q:\n%v", want, checkErr)
				}
			}
		})
	}
}

// removeCodeSignature is testtool.RemoveCodeSignature that fails the test
// on an error.
func removeCodeSignature(t testing.TB, data []byte) []byte {
	t.Helper()
	out, err := testtool.RemoveCodeSignature(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// FuzzCodeSignature feeds hostile signature blobs to the parser over the
// real signed binary: never a panic, and a mangled signature is never
// reported as holding unless its page hashes still do.
//
//	go test -run='^$' -fuzz=FuzzCodeSignature -fuzztime=20s ./verify
func FuzzCodeSignature(f *testing.F) {
	f.Add([]byte{}, int64(0))
	f.Add([]byte("\xfa\xde\x0c\xc0\x00\x00\x00\x14\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x14"), int64(1<<20))
	code := []byte(strings.Repeat("kiln", 8192))
	if fl := fuzzWorker(); !fl {
		data, err := os.ReadFile(bin(f, "darwin-arm64-s"))
		if err != nil {
			f.Fatal(err)
		}
		code = data
		sig := signatureBlob(f, data)
		f.Add(sig, int64(len(data)-len(sig)))
	}
	f.Fuzz(func(t *testing.T, blob []byte, off int64) {
		cs := parseCodeSignature(blob, bytes.NewReader(code), off)
		if cs == nil {
			t.Fatal("nil signature")
		}
		if cs.Problem == "" && cs.Pages > 0 && int64(cs.Pages) > int64(len(code))/512+1 {
			t.Fatalf("%d pages checked in a file of %d bytes", cs.Pages, len(code))
		}
	})
}

// signatureBlob returns the signature bytes of a thin little-endian Mach-O.
func signatureBlob(tb testing.TB, data []byte) []byte {
	le := binary.LittleEndian
	off := uint32(32)
	for range le.Uint32(data[16:]) {
		if le.Uint32(data[off:]) == lcCodeSignature {
			at, n := le.Uint32(data[off+8:]), le.Uint32(data[off+12:])
			return data[at : at+n]
		}
		off += le.Uint32(data[off+4:])
	}
	tb.Fatal("no LC_CODE_SIGNATURE")
	return nil
}

// fuzzWorker reports whether this process is a fuzz worker, which only
// runs the inputs the coordinator sends: only the coordinator (and a plain
// go test) needs the real binaries as seeds.
func fuzzWorker() bool {
	fl := flag.Lookup("test.fuzzworker")
	return fl != nil && fl.Value.String() == "true"
}
