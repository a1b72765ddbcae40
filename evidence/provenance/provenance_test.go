package provenance

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	slsa "github.com/in-toto/attestation/go/predicates/provenance/v1"
	intoto "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/pack/checksum"
)

// parse validates a statement with the in-toto project's Go library: the
// Statement and its SLSA Provenance predicate each pass Validate.
func parse(t *testing.T, out []byte) (*intoto.Statement, *slsa.Provenance) {
	t.Helper()
	var st intoto.Statement
	if err := protojson.Unmarshal(out, &st); err != nil {
		t.Fatalf("protojson.Unmarshal(Statement): %v\n%s", err, out)
	}
	if err := st.Validate(); err != nil {
		t.Fatalf("Statement.Validate: %v", err)
	}
	if st.GetPredicateType() != PredicateType {
		t.Errorf("predicateType = %q, want %q", st.GetPredicateType(), PredicateType)
	}
	raw, err := protojson.Marshal(st.GetPredicate())
	if err != nil {
		t.Fatal(err)
	}
	var p slsa.Provenance
	if err := protojson.Unmarshal(raw, &p); err != nil {
		t.Fatalf("protojson.Unmarshal(Provenance): %v", err)
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("Provenance.Validate: %v", err)
	}
	return &st, &p
}

// release returns a release whose subjects are the lines of checksums.
func release(t *testing.T, checksums []byte) Release {
	t.Helper()
	subjects, err := checksum.Parse(checksums)
	if err != nil {
		t.Fatal(err)
	}
	bi, err := debug.ParseBuildInfo("path\texample.com/app\nmod\texample.com/app\t(devel)\t\n" +
		"dep\tgithub.com/spf13/pflag\tv1.0.6\th1:jFzHGLGAlb3ruxLB8MhbI6A8+AQX/2eW4qeyNZXNp2o=\n" +
		"dep\tgolang.org/x/text\tv0.21.0\n=>\tgolang.org/x/text\tv0.20.0\th1:gK/Kv2otX8gz+wn7Rmb3vT96ZwuoxnQlY+HlJVj7Qug=\n" +
		"dep\texample.com/local\tv0.0.0\n=>\t./local\t(devel)\t\n")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	return Release{
		Subjects: subjects,
		External: External{
			Version: "v1.2.3",
			Matrix:  []string{"windows/amd64", "linux/arm/7", "linux/amd64"},
			Binaries: []Binary{{Name: "appd", Main: "./cmd/appd", Tags: []string{"netgo", "osusergo"}, Cgo: true, CgoMode: "auto"},
				{Name: "app", Main: "./cmd/app", CgoMode: "off"}},
			Repository: "https://github.com/example/app",
			Ref:        "refs/tags/v1.2.3",
			Module:     "example.com/app",
			ModuleDir:  ".",
		},
		Internal: Internal{
			GoVersion: "go1.26.8",
			Builds: []Build{
				{Binary: "app", Platform: "linux/arm/7", Args: []string{"-trimpath", "-buildvcs=false", "-ldflags", "-s -w -X main.version=v1.2.3", "./cmd/app"},
					Env: []string{"GOFLAGS=-mod=readonly", "GOOS=linux", "GOARCH=arm", "GOARM=7", "CGO_ENABLED=0"}},
				{Binary: "app", Platform: "linux/amd64", Args: []string{"-trimpath", "-buildvcs=false", "-ldflags", "-s -w -X main.version=v1.2.3", "./cmd/app"},
					Env: []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"}},
			},
			CToolchains: map[string]string{"linux/amd64": "musl-gcc (musl 1.2.3)"},
		},
		Source:       Source{URI: "git+https://github.com/example/app@refs/tags/v1.2.3", Commit: strings.Repeat("c0ffee", 6) + "c0ff"},
		Modules:      ModulesFromBuildInfo(bi, bi, nil),
		BuilderID:    "https://github.com/kiln-build/kiln@v0.4.0",
		KilnVersion:  "v0.4.0",
		InvocationID: "https://github.com/example/app/actions/runs/1",
		StartedOn:    start,
		FinishedOn:   start.Add(90 * time.Second),
	}
}

// writeChecksums writes files into a directory and returns the checksums
// file kiln's pack/checksum writes for them.
func writeChecksums(t *testing.T, files map[string]string) []byte {
	t.Helper()
	dir := t.TempDir()
	var names []string
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	sums := filepath.Join(t.TempDir(), "checksums.txt")
	if err := checksum.Write(sums, dir, names); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(sums)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var releaseFiles = map[string]string{
	"app_1.2.3_linux_amd64.tar.gz":    "linux",
	"app_1.2.3_windows_amd64.zip":     "windows",
	"app_1.2.3_linux_arm_7.tar.gz":    "arm",
	"app_1.2.3_linux_amd64.sbom.json": "{}",
}

// TestStatement validates the statement with in-toto's library and checks
// that its subjects are the checksums file, line for line.
func TestStatement(t *testing.T) {
	sums := writeChecksums(t, releaseFiles)
	r := release(t, sums)
	out, err := Statement(r)
	if err != nil {
		t.Fatal(err)
	}
	st, p := parse(t, out)

	lines := strings.Split(strings.TrimSuffix(string(sums), "\n"), "\n")
	if len(st.GetSubject()) != len(lines) {
		t.Fatalf("%d subjects, want %d (the checksums file's lines)", len(st.GetSubject()), len(lines))
	}
	for i, s := range st.GetSubject() {
		if got := s.GetDigest()["sha256"] + "  " + s.GetName(); got != lines[i] {
			t.Errorf("subject %d = %q, want checksums line %q", i, got, lines[i])
		}
	}

	bd := p.GetBuildDefinition()
	if bd.GetBuildType() != BuildType {
		t.Errorf("buildType = %q", bd.GetBuildType())
	}
	deps := bd.GetResolvedDependencies()
	if len(deps) != 3 || deps[0].GetDigest()["gitCommit"] != r.Source.Commit {
		t.Fatalf("resolvedDependencies = %v, want the commit then pflag and x/text", deps)
	}
	if deps[1].GetUri() != "pkg:golang/github.com/spf13/pflag@v1.0.6" || deps[2].GetUri() != "pkg:golang/golang.org/x/text@v0.20.0" {
		t.Errorf("module dependencies = %v, %v", deps[1], deps[2])
	}
	if got := deps[2].GetDigest()["dirHash"]; got != "80afcabf6a2d5fc833fb09fb4666f7bd3f7a670ba8c6742563e1e52558fb42e8" {
		t.Errorf("x/text dirHash = %q", got)
	}
	rd := p.GetRunDetails()
	if rd.GetBuilder().GetId() != r.BuilderID || rd.GetBuilder().GetVersion()["kiln"] != "v0.4.0" || rd.GetBuilder().GetVersion()["go"] != "go1.26.8" {
		t.Errorf("builder = %v", rd.GetBuilder())
	}
	if !rd.GetMetadata().GetStartedOn().AsTime().Equal(r.StartedOn) || !rd.GetMetadata().GetFinishedOn().AsTime().Equal(r.FinishedOn) {
		t.Errorf("metadata = %v", rd.GetMetadata())
	}
	if m := bd.GetExternalParameters().AsMap()["matrix"]; m.([]any)[0] != "linux/amd64" {
		t.Errorf("matrix = %v, want sorted", m)
	}

	testtool.Golden(t, filepath.Join("testdata", "release.intoto.json"), "Statement", out)
}

// TestStatementDeterministic: input order does not change the bytes.
func TestStatementDeterministic(t *testing.T) {
	r := release(t, writeChecksums(t, releaseFiles))
	a, err := Statement(r)
	if err != nil {
		t.Fatal(err)
	}
	r.Subjects = append([]Subject{r.Subjects[3], r.Subjects[1]}, r.Subjects[0], r.Subjects[2])
	r.External.Matrix = []string{"linux/amd64", "windows/amd64", "linux/arm/7"}
	r.External.Binaries = []Binary{r.External.Binaries[1], r.External.Binaries[0]}
	r.Modules = []Module{r.Modules[1], r.Modules[0]}
	b, err := Statement(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("Statement of reordered input differs:\n%s\n%s", a, b)
	}
	r.InvocationID = "other"
	if c, _ := Statement(r); bytes.Equal(a, c) {
		t.Error("Statement with another invocation id wrote the same bytes")
	}
}
