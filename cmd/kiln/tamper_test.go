package main

// How the tests tamper with a release: as someone who can replace the
// files on a release page would.

import (
	"context"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/evidence/audit"
	"github.com/kiln-build/kiln/evidence/sbom"
	"github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack/archive"
	"github.com/kiln-build/kiln/pack/checksum"
)

// unpack returns the entries of a published archive: name → content.
func unpack(t *testing.T, dir, name string) map[string][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	entries, err := audit.Unpack(context.Background(), f, fi.Size(), name, t.TempDir(), audit.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if out[e.Name], err = os.ReadFile(e.Path); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// swapEntry rewrites a published archive with one entry's content
// replaced, every name and mode kept.
func swapEntry(t *testing.T, dir, name, entry string, content []byte) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	entries, err := audit.Unpack(context.Background(), f, fi.Size(), name, t.TempDir(), audit.DefaultLimits)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var files []archive.File
	for _, e := range entries {
		if e.Name == entry {
			if err := os.WriteFile(e.Path, content, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		files = append(files, archive.File{Src: e.Path, Name: e.Name, Mode: e.Mode})
	}
	if err := archive.Write(context.Background(), filepath.Join(dir, name), files, archive.Options{}); err != nil {
		t.Fatal(err)
	}
}

// updateSums rewrites the checksums file's lines of the named files, as
// someone who tampers with them would.
func updateSums(t *testing.T, dir string, names ...string) {
	t.Helper()
	updateSumsIn(t, dir, sums, names...)
}

// updateSumsIn is updateSums of the checksums file sumsFile.
func updateSumsIn(t *testing.T, dir, sumsFile string, names ...string) {
	t.Helper()
	path := filepath.Join(dir, sumsFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := checksum.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range lines {
		for _, n := range names {
			if l.Name == n {
				content, err := os.ReadFile(filepath.Join(dir, n))
				if err != nil {
					t.Fatal(err)
				}
				l.SHA256 = fmt.Sprintf("%x", sha256.Sum256(content))
			}
		}
		fmt.Fprintf(&b, "%s  %s\n", l.SHA256, l.Name)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendLine(t *testing.T, dir string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, sums), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "%064x  extra.tar.gz\n", 0)
}

func resign(t *testing.T, dir string, s *sampleRelease, files ...string) {
	t.Helper()
	signer, err := signing.NewSigner(s.key)
	if err != nil {
		t.Fatal(err)
	}
	if err := signFiles(signer, dir, files...); err != nil {
		t.Fatal(err)
	}
}

// editJSON rewrites a JSON file through edit.
func editJSON(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

// addModule adds a Go module package to an SBOM.
func addModule(t *testing.T, path, mod, version string) {
	editJSON(t, path, func(doc map[string]any) {
		doc["packages"] = append(doc["packages"].([]any), map[string]any{
			"SPDXID": "SPDXRef-Package-go-module-evil", "name": mod, "versionInfo": version,
			"downloadLocation": "NOASSERTION", "filesAnalyzed": false, "licenseConcluded": "NOASSERTION",
			"licenseDeclared": "NOASSERTION", "copyrightText": "NOASSERTION", "primaryPackagePurpose": "LIBRARY",
			"externalRefs": []any{map[string]any{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
				"referenceLocator": "pkg:golang/" + mod + "@" + version}},
		})
	})
}

// dropSubject removes a subject from a provenance statement.
func dropSubject(t *testing.T, path, name string) {
	editJSON(t, path, func(doc map[string]any) {
		var kept []any
		for _, s := range doc["subject"].([]any) {
			if s.(map[string]any)["name"] != name {
				kept = append(kept, s)
			}
		}
		doc["subject"] = kept
	})
}

// writeSBOM writes the SBOM kiln would write for a binary.
func writeSBOM(t *testing.T, path, name string, bin []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(f, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := sbom.SPDX(bi, sbom.FileFacts{Name: name, SHA256: fmt.Sprintf("%x", sha256.Sum256(bin)), Created: time.Unix(1700000000, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		t.Fatal(err)
	}
}

// dynamicBinary builds a cgo program linked against the system's libc.
func dynamicBinary(t *testing.T) []byte {
	t.Helper()
	testtool.Need(t, "gcc")
	mod := t.TempDir()
	files := map[string]string{
		"go.mod":  "module example.com/dyn\n\ngo 1.26\n",
		"main.go": "package main\n\n// #include <stdio.h>\n// static void hello(void) { puts(\"hello\"); }\nimport \"C\"\n\nfunc main() { C.hello() }\n",
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(mod, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(mod, "samplectl")
	if _, err := command(context.Background(), mod, env("CGO_ENABLED=1", "CC=gcc", "GOOS=linux", "GOARCH=amd64"),
		"go", "build", "-trimpath", "-o", out, "."); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
