package sbom

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
)

// editDoc returns sbom decoded, changed by edit and encoded again.
func editDoc(t *testing.T, sbom []byte, edit func(doc map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	d := json.NewDecoder(bytes.NewReader(sbom))
	d.UseNumber()
	if err := d.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pkgNamed is the package with the given name in a decoded SBOM.
func pkgNamed(t *testing.T, doc map[string]any, name string) map[string]any {
	t.Helper()
	for _, p := range doc["packages"].([]any) {
		if p := p.(map[string]any); p["name"] == name {
			return p
		}
	}
	t.Fatalf("no package %s", name)
	return nil
}

func setPurl(p map[string]any, purl string) {
	for _, r := range p["externalRefs"].([]any) {
		if r := r.(map[string]any); r["referenceType"] == "purl" {
			r["referenceLocator"] = purl
		}
	}
}

// addPackage adds a package the binary's build info does not hold, with
// the relationship that makes the binary depend on it.
func addPackage(doc map[string]any, p map[string]any) {
	p["downloadLocation"], p["filesAnalyzed"] = "NOASSERTION", false
	p["licenseConcluded"], p["licenseDeclared"], p["copyrightText"] = "NOASSERTION", "NOASSERTION", "NOASSERTION"
	doc["packages"] = append(doc["packages"].([]any), p)
	doc["relationships"] = append(doc["relationships"].([]any), map[string]any{
		"spdxElementId": binaryID, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": p["SPDXID"]})
}

// TestCheckEdited is issue 16's SBOM case: an SBOM edited after package
// (its sha256 in the manifest updated to match) no longer describes the
// binary. Each row edits the real SBOM of a real binary one way; CheckWith
// names the first difference.
func TestCheckEdited(t *testing.T) {
	b := build(t, "prog")
	name := "prog_linux_amd64/prog"
	want := Expect{SHA256: b.sha256, Version: "v1.2.3", Name: name}
	sbom, err := SPDX(b.bi, FileFacts{Name: name, SHA256: b.sha256, Created: commitTime, Version: "v1.2.3", Tool: "kiln-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckWith(sbom, b.bi, want); err != nil {
		t.Fatalf("CheckWith(own SBOM) = %v", err)
	}
	tests := []struct {
		name   string
		edit   func(doc map[string]any)
		module string // of the first *MismatchError
		field  string
		path   string // for "content"; "[*]" matches any index
	}{
		{"main module version", func(doc map[string]any) {
			// Consistently: the binary's package, the main module, its purl.
			for _, n := range []string{name, "example.com/prog"} {
				pkgNamed(t, doc, n)["versionInfo"] = "v2.0.0"
			}
			setPurl(pkgNamed(t, doc, "example.com/prog"), "pkg:golang/example.com/prog@v2.0.0")
		}, "", "version", ""},
		{"main module version only", func(doc map[string]any) { pkgNamed(t, doc, "example.com/prog")["versionInfo"] = "v2.0.0" }, "example.com/prog", "main module version", ""},
		{"main module path", func(doc map[string]any) { pkgNamed(t, doc, "example.com/prog")["name"] = "example.com/other" }, "", "main module", ""},
		{"foreign package", func(doc map[string]any) {
			addPackage(doc, map[string]any{"SPDXID": "SPDXRef-Package-npm-left-pad", "name": "left-pad", "versionInfo": "1.3.0",
				"externalRefs": []any{map[string]any{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:npm/left-pad@1.3.0"}}})
		}, "left-pad", "package", ""},
		{"foreign package without purl", func(doc map[string]any) {
			addPackage(doc, map[string]any{"SPDXID": "SPDXRef-Package-blob", "name": "blob", "primaryPackagePurpose": "FILE"})
		}, "blob", "package", ""},
		{"foreign Go module", func(doc map[string]any) {
			addPackage(doc, map[string]any{"SPDXID": "SPDXRef-Package-go-module-evil", "name": "github.com/evil/backdoor", "versionInfo": "v1.0.0", "primaryPackagePurpose": "LIBRARY",
				"externalRefs": []any{map[string]any{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:golang/github.com/evil/backdoor@v1.0.0"}}})
		}, "github.com/evil/backdoor", "module", ""},
		{"dependency version", func(doc map[string]any) { pkgNamed(t, doc, "github.com/spf13/pflag")["versionInfo"] = "v1.0.5" }, "github.com/spf13/pflag", "version", ""},
		{"dependency purl", func(doc map[string]any) {
			setPurl(pkgNamed(t, doc, "github.com/spf13/pflag"), "pkg:golang/github.com/spf13/pflag@v1.0.5")
		}, "github.com/spf13/pflag", "purl", ""},
		{"dependency checksum", func(doc map[string]any) {
			pkgNamed(t, doc, "github.com/spf13/pflag")["checksums"].([]any)[0].(map[string]any)["checksumValue"] = strings.Repeat("0", 64)
		}, "github.com/spf13/pflag", "checksum", ""},
		{"dependency removed", func(doc map[string]any) {
			pkgNamed(t, doc, "github.com/spf13/pflag")["name"] = "github.com/spf13/pflag-gone"
		}, "github.com/spf13/pflag", "module", ""},
		{"replacement hidden", func(doc map[string]any) { delete(pkgNamed(t, doc, "golang.org/x/text"), "sourceInfo") }, "golang.org/x/text", "sourceInfo", ""},
		{"stdlib version", func(doc map[string]any) { pkgNamed(t, doc, "stdlib")["versionInfo"] = "go1.20" }, "stdlib", "version", ""},
		{"binary sha256", func(doc map[string]any) {
			pkgNamed(t, doc, name)["checksums"].([]any)[0].(map[string]any)["checksumValue"] = strings.Repeat("1", 64)
		}, "", "sha256", ""},
		{"document name", func(doc map[string]any) { doc["name"] = "other_linux_amd64/prog" }, "", "name", ""},
		{"relationship dropped", func(doc map[string]any) {
			rels := doc["relationships"].([]any)
			doc["relationships"] = rels[:len(rels)-1]
		}, "", "content", "relationships"},
		{"license", func(doc map[string]any) { pkgNamed(t, doc, "github.com/spf13/pflag")["licenseDeclared"] = "MIT" }, "", "content", "packages[4].licenseDeclared"},
		{"build setting", func(doc map[string]any) {
			for _, a := range pkgNamed(t, doc, name)["annotations"].([]any) {
				if a := a.(map[string]any); a["comment"] == "go build setting CGO_ENABLED="+settings(b.bi)["CGO_ENABLED"] {
					a["comment"] = "go build setting CGO_ENABLED=9"
				}
			}
		}, "", "content", "packages[0].annotations[*].comment"},
		{"unknown field", func(doc map[string]any) { doc["x-claims"] = "audited" }, "", "content", "x-claims"},
		{"namespace", func(doc map[string]any) { doc["documentNamespace"] = "https://example.com/other" }, "", "content", "documentNamespace"},
		{"packages reordered", func(doc map[string]any) {
			ps := doc["packages"].([]any)
			ps[3], ps[4] = ps[4], ps[3]
		}, "", "content", "packages[3].SPDXID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := editDoc(t, sbom, tt.edit)
			err := CheckWith(edited, b.bi, want)
			var m *MismatchError
			if !errors.As(err, &m) || m.Module != tt.module || m.Field != tt.field || !pathMatch(tt.path, m.Path) {
				t.Fatalf("CheckWith(%s) = %v\nwant first a *MismatchError for %q %q %q", tt.name, err, tt.module, tt.field, tt.path)
			}
			if !strings.HasPrefix(err.Error(), "sbom: ") {
				t.Errorf("message %q", err)
			}
		})
	}
	// Not SBOMs of this shape at all.
	for name, edit := range map[string]func(map[string]any){
		"created": func(doc map[string]any) { doc["creationInfo"].(map[string]any)["created"] = "yesterday" },
		"two described": func(doc map[string]any) {
			doc["relationships"] = append(doc["relationships"].([]any), doc["relationships"].([]any)[0])
		},
		"spdx version":   func(doc map[string]any) { doc["spdxVersion"] = "SPDX-2.2" },
		"empty name":     func(doc map[string]any) { doc["name"] = "" },
		"packages typed": func(doc map[string]any) { doc["packages"] = "none" },
	} {
		if err := CheckWith(editDoc(t, sbom, edit), b.bi, want); err == nil {
			t.Errorf("CheckWith(%s edited) = nil", name)
		}
	}
	if err := CheckWith(sbom, b.bi, Expect{SHA256: "nope"}); err == nil {
		t.Error("CheckWith(bad expected sha256) = nil")
	}
}

// pathMatch matches a JSON path against a pattern where "[*]" stands for
// any index.
func pathMatch(pattern, path string) bool {
	before, after, ok := strings.Cut(pattern, "[*]")
	if !ok {
		return pattern == path
	}
	rest, ok := strings.CutPrefix(path, before+"[")
	if !ok {
		return false
	}
	i := strings.IndexByte(rest, ']')
	return i > 0 && strings.Trim(rest[:i], "0123456789") == "" && rest[i+1:] == after
}

var (
	vcsOnce sync.Once
	vcsBin  *testBinary
	vcsErr  string
)

// buildVCS builds testdata/prog from a git checkout tagged v1.2.3, so its
// build info records the main module's version (kiln's builds of clean
// trees do the same).
func buildVCS(t *testing.T) *testBinary {
	t.Helper()
	testtool.Need(t, "git")
	if testing.Short() {
		t.Skip("builds real binaries")
	}
	vcsOnce.Do(func() {
		dir := filepath.Join(buildDir, "vcs-src")
		run := func(name string, args ...string) {
			if vcsErr != "" {
				return
			}
			cmd := exec.Command(name, args...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=true", "GOWORK=off", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
				"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_COMMITTER_DATE=2025-03-04T05:06:07Z", "GIT_AUTHOR_DATE=2025-03-04T05:06:07Z")
			if out, err := cmd.CombinedOutput(); err != nil {
				vcsErr = name + " " + strings.Join(args, " ") + ": " + err.Error() + "\n" + string(out)
			}
		}
		if err := os.CopyFS(dir, os.DirFS("testdata/prog")); err != nil {
			vcsErr = err.Error()
			return
		}
		run("git", "init", "-q")
		run("git", "add", ".")
		run("git", "commit", "-qm", "prog")
		run("git", "tag", "v1.2.3")
		run("go", "build", "-o", filepath.Join(buildDir, "prog-vcs"), ".")
		if vcsErr == "" {
			vcsBin = binaryAt(t, filepath.Join(buildDir, "prog-vcs"))
		}
	})
	if vcsErr != "" {
		t.Fatal(vcsErr)
	}
	return vcsBin
}

// TestCheckVersionFromBuildInfo: when the build info records the main
// module's version, Check alone (no release version given) refuses an SBOM
// whose version was edited consistently everywhere.
func TestCheckVersionFromBuildInfo(t *testing.T) {
	b := buildVCS(t)
	if b.bi.Main.Version != "v1.2.3" {
		t.Fatalf("build info main version %q, want v1.2.3 from the tag", b.bi.Main.Version)
	}
	sbom, err := SPDX(b.bi, FileFacts{Name: "prog", SHA256: b.sha256, Created: commitTime})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(sbom, b.sha256, b.bi); err != nil {
		t.Fatalf("Check(own SBOM) = %v", err)
	}
	edited := editDoc(t, sbom, func(doc map[string]any) {
		for _, n := range []string{"prog", "example.com/prog"} {
			pkgNamed(t, doc, n)["versionInfo"] = "v2.0.0"
		}
		setPurl(pkgNamed(t, doc, "example.com/prog"), "pkg:golang/example.com/prog@v2.0.0")
	})
	err = Check(edited, b.sha256, b.bi)
	if err == nil || !strings.Contains(err.Error(), `sbom: binary version: SBOM has "v2.0.0", binary has "v1.2.3"`) ||
		!strings.Contains(err.Error(), `sbom: module example.com/prog: main module version: SBOM has "v2.0.0", binary has "v1.2.3"`) {
		t.Errorf("Check(version edited) = %v, want both versions named", err)
	}
}
