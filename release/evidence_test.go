package release

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdxlib"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/pack/checksum"
)

func readDist(t *testing.T, dir, rel string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "dist", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestEvidence: package writes an SBOM per binary that the SPDX project's
// validator accepts and the checksums file lists, and a provenance
// statement the in-toto project's bindings accept whose subjects are the
// checksums file's lines; a second package writes the same bytes.
func TestEvidence(t *testing.T) {
	dir := testModule(t)
	commit := gitRepo(t, dir)
	git(t, dir, "remote", "add", "origin", "https://user:secret@example.com/org/tool.git")
	env := []string{"KILN_MATRIX=linux/amd64,windows/amd64", "KILN_VERSION=1.2.3"}
	mustRun(t, dir, env, (*Plan).Build)
	mustRun(t, dir, env, (*Plan).Verify)
	out := mustRun(t, dir, env, (*Plan).Package)

	m, err := artifact.Load(filepath.Join(dir, "dist"))
	if err != nil {
		t.Fatal(err)
	}
	sums := readDist(t, dir, "tool_1.2.3_checksums.txt")
	sboms := m.Filter(artifact.ByKind(artifact.SBOM))
	want := []struct{ path, platform string }{
		{"tool_1.2.3_linux_amd64_tool.spdx.json", "linux/amd64"},
		{"tool_1.2.3_windows_amd64_tool.spdx.json", "windows/amd64"},
	}
	if len(sboms) != len(want) {
		t.Fatalf("sbom entries = %+v, want %v\n%s", sboms, want, out)
	}
	for i, a := range sboms {
		if a.Path != want[i].path || a.Name != "tool" || a.Platform().String() != want[i].platform {
			t.Errorf("sbom entry %+v, want %s named tool for %s", a, want[i].path, want[i].platform)
		}
		if !bytes.Contains(sums, []byte("  "+a.Path+"\n")) {
			t.Errorf("checksums do not list %s:\n%s", a.Path, sums)
		}
		doc, err := spdxjson.Read(bytes.NewReader(readDist(t, dir, a.Path)))
		if err != nil {
			t.Fatalf("%s: json.Read: %v", a.Path, err)
		}
		if err := spdxlib.ValidateDocument(doc); err != nil {
			t.Errorf("%s: ValidateDocument: %v", a.Path, err)
		}
	}

	prov := m.Filter(artifact.ByKind(artifact.Provenance))
	if len(prov) != 1 || prov[0].Path != "tool_1.2.3.intoto.json" {
		t.Fatalf("provenance entries = %+v, want tool_1.2.3.intoto.json", prov)
	}
	if bytes.Contains(sums, []byte("intoto")) {
		t.Errorf("checksums list the provenance, which covers them:\n%s", sums)
	}
	data := readDist(t, dir, prov[0].Path)
	var st intoto.Statement
	if err := protojson.Unmarshal(data, &st); err != nil {
		t.Fatalf("protojson.Unmarshal: %v\n%s", err, data)
	}
	if err := st.Validate(); err != nil {
		t.Fatalf("Statement.Validate: %v", err)
	}
	raw, _ := protojson.Marshal(st.GetPredicate())
	var pred slsa.Provenance
	if err := protojson.Unmarshal(raw, &pred); err != nil {
		t.Fatal(err)
	}
	if err := pred.Validate(); err != nil {
		t.Fatalf("Provenance.Validate: %v", err)
	}
	subjects, err := checksum.Parse(sums)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range st.GetSubject() {
		got = append(got, s.GetDigest()["sha256"]+"  "+s.GetName())
	}
	var lines []string
	for _, s := range subjects {
		lines = append(lines, s.SHA256+"  "+s.Name)
	}
	if !slices.Equal(got, lines) {
		t.Errorf("subjects\n%s\nwant the checksums lines\n%s", strings.Join(got, "\n"), strings.Join(lines, "\n"))
	}
	deps := pred.GetBuildDefinition().GetResolvedDependencies()
	if len(deps) == 0 || deps[0].GetUri() != "git+https://example.com/org/tool.git" || deps[0].GetDigest()["gitCommit"] != commit {
		t.Errorf("source = %v, want git+https://example.com/org/tool.git at %s, without the credentials", deps, commit)
	}
	// The go builds as the engine ran them, from the manifest.
	for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
		if len(a.Args) == 0 || !slices.Contains(a.Env, "GOOS="+a.OS) {
			t.Errorf("%s: the manifest records the build %q %q", a.Path, a.Args, a.Env)
		}
	}
	for _, want := range []string{"-s -w -X main.version=v1.2.3\"", `"GOOS=windows"`, `"binary": "tool"`, `"platform": "windows/amd64"`,
		`"moduleDir": "."`, `"cgoMode": "auto"`} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the provenance does not record %s:\n%s", want, data)
		}
	}
	if bytes.Contains(data, []byte("secret")) {
		t.Errorf("the provenance holds the remote's password:\n%s", data)
	}

	// Same commit, same configuration: the same bytes.
	before := map[string][]byte{}
	for _, a := range append(sboms, prov...) {
		before[a.Path] = readDist(t, dir, a.Path)
	}
	mustRun(t, dir, env, (*Plan).Package)
	for p, b := range before {
		if !bytes.Equal(readDist(t, dir, p), b) {
			t.Errorf("%s changed on a second package of the same release", p)
		}
	}
	mustRun(t, dir, env, (*Plan).Verify)
}

// TestVerifySBOM: verify fails for a binary whose SBOM was changed, with
// the SBOM and the disagreement named, and passes again after package; a
// rebuilt binary's SBOM is stale and not checked.
func TestVerifySBOM(t *testing.T) {
	dir := testModule(t)
	gitRepo(t, dir)
	env := []string{"KILN_MATRIX=linux/amd64", "KILN_VERSION=1.2.3"}
	mustRun(t, dir, env, (*Plan).Build)
	mustRun(t, dir, env, (*Plan).Verify)
	mustRun(t, dir, env, (*Plan).Package)
	dist := filepath.Join(dir, "dist")
	const rel = "tool_1.2.3_linux_amd64_tool.spdx.json"
	orig := readDist(t, dir, rel)

	otherGo := func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"versionInfo": "go1.`), []byte(`"versionInfo": "go0.`), 1)
	}
	for _, tc := range []struct {
		name, want     string
		edit           func([]byte) []byte
		updateManifest bool
	}{
		// The SBOM claims another Go version, and the manifest was updated
		// to match: the content check catches it.
		{"claims", `stdlib: version`, otherGo, true},
		// Another release version everywhere in the SBOM (binary, main
		// module, purls), consistent with itself, the manifest updated:
		// only the plan's version tells.
		{"version", `binary version: SBOM has "v9.9.9", binary has "v1.2.3"`,
			func(b []byte) []byte { return bytes.ReplaceAll(b, []byte("v1.2.3"), []byte("v9.9.9")) }, true},
		// Changed behind the manifest's back.
		{"changed", "changed after package", otherGo, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := tc.edit(orig)
			if bytes.Equal(bad, orig) {
				t.Fatalf("the edit changes nothing in the SBOM:\n%s", orig)
			}
			if err := os.WriteFile(filepath.Join(dist, rel), bad, 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.updateManifest {
				m, _ := artifact.Load(dist)
				a := m.Filter(artifact.ByKind(artifact.SBOM))[0]
				a, _ = artifact.Describe(dist, a)
				m.Put(a)
				if err := m.Save(dist); err != nil {
					t.Fatal(err)
				}
			}
			out, err := run(t, dir, env, (*Plan).Verify)
			if err == nil || !strings.Contains(err.Error(), rel) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("verify with a tampered SBOM = %v, want a failure naming %s and %q\n%s", err, rel, tc.want, out)
			}
			// The binary is fine: package writes the SBOM again.
			mustRun(t, dir, env, (*Plan).Package)
			if !bytes.Equal(readDist(t, dir, rel), orig) {
				t.Errorf("package did not write the SBOM again")
			}
			mustRun(t, dir, env, (*Plan).Verify)
		})
	}

	// A new build of the binary makes its SBOM stale: a note, not a failure.
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(strings.Replace(toolMain, `"tool"`, `"tool2"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, env, (*Plan).Build)
	if out := mustRun(t, dir, env, (*Plan).Verify); !strings.Contains(out, "earlier build") {
		t.Errorf("verify after a rebuild says nothing of the stale SBOM:\n%s", out)
	}
}

// TestNoProvenanceWithoutCommit: a tree without git still packages, with
// SBOMs and a line saying why there is no provenance.
func TestNoProvenanceWithoutCommit(t *testing.T) {
	dir := testModule(t)
	env := []string{"KILN_MATRIX=linux/amd64"}
	mustRun(t, dir, env, (*Plan).Build)
	mustRun(t, dir, env, (*Plan).Verify)
	out := mustRun(t, dir, env, (*Plan).Package)
	m, _ := artifact.Load(filepath.Join(dir, "dist"))
	if len(m.Filter(artifact.ByKind(artifact.SBOM))) != 1 || len(m.Filter(artifact.ByKind(artifact.Provenance))) != 0 || !strings.Contains(out, "provenance: not written") {
		t.Errorf("package without git: %+v\n%s", m.Artifacts, out)
	}
}
