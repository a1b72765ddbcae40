package release

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
)

// ghPlan resolves the plan of mod with env as the whole environment.
func ghPlan(t *testing.T, mod string, w *lockedBuffer, env map[string]string) *Plan {
	t.Helper()
	s := Settings{Verify: VerifySettings{NoRun: true}, Package: PackageSettings{NoImage: true}}
	p, err := Resolve(context.Background(), s, WithDir(mod), testCache, WithOutput(w), WithEnv(func(k string) string { return env[k] }))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGitHubBuildAnnotations: a platform that does not compile gets its
// build output in a group and an ::error annotation on the right file
// (relative to the repository root) and line; the other platform builds.
// Outside GitHub Actions the output has no workflow command.
func TestGitHubBuildAnnotations(t *testing.T) {
	repo, mod := ghModule(t, map[string]string{"broken_windows.go": "//go:build windows\n\npackage main\n\nvar _ = nosuch\n"})
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": repo, "KILN_MATRIX": "linux/amd64,windows/amd64"}
	var w lockedBuffer
	err := ghPlan(t, mod, &w, env).Build(context.Background())
	if err == nil {
		t.Fatalf("the build of a broken windows file succeeded:\n%s", w.String())
	}
	out := w.String()
	want := "::error file=mod/broken_windows.go,line=5,col=9::undefined: nosuch\n"
	if !strings.Contains(out, want) {
		t.Errorf("no annotation %q in:\n%s", want, out)
	}
	group := regexp.MustCompile(`(?s)::group::tool windows/amd64: failed\n.*broken_windows.go:5:9: undefined: nosuch\n.*?::endgroup::\n`)
	if !group.MatchString(out) {
		t.Errorf("no group with the windows build's compiler output in:\n%s", out)
	}
	if !strings.Contains(out, "::group::tool linux/amd64: built") {
		t.Errorf("no group for the linux build in:\n%s", out)
	}
	delete(env, "GITHUB_ACTIONS")
	var plain lockedBuffer
	if ghPlan(t, mod, &plain, env).Build(context.Background()) == nil || strings.Contains(plain.String(), "::") {
		t.Errorf("outside GitHub Actions: workflow commands in the output (or no failure):\n%s", plain.String())
	}
}

// TestGitHubSummaries: verify and package append markdown tables to
// $GITHUB_STEP_SUMMARY: each binary with its platform, size, static, cgo,
// version, OS check and run result; each artifact with its sha256. package
// sets the step outputs checksums and provenance (their paths).
func TestGitHubSummaries(t *testing.T) {
	repo, mod := ghModule(t, nil)
	gitRepo(t, repo) // the module in a subdirectory of the repository
	summary, outFile := filepath.Join(t.TempDir(), "summary.md"), filepath.Join(t.TempDir(), "outputs")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary, "GITHUB_OUTPUT": outFile,
		"KILN_MATRIX": "linux/amd64,windows/amd64", "KILN_VERSION": "v1.0.0"}
	var w lockedBuffer
	p := ghPlan(t, mod, &w, env)
	built := 0
	for i, f := range []func(context.Context) error{p.Build, p.Verify, p.Package} {
		if err := f(context.Background()); err != nil {
			t.Fatalf("%v\n%s", err, w.String())
		}
		if i == 0 {
			built = len(w.String())
		}
	}
	data, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{
		"### verify: tool v1.0.0 — 2 of 2 binaries ok",
		"| Binary | Platform | Size | Static | Cgo | Go | Version | OS check | Run | Result |",
		"| VERSIONINFO 1.0.0.0, manifest | not run: not a linux binary | ✅ ok |",
		"| tool | linux/amd64 | ",
		"| yes | no | go1.",
		"| not run: Config.Verify.NoRun | ✅ ok |",
		"| tool | windows/amd64 | ",
		"### package: tool v1.0.0",
		"| Artifact | Kind | Platform | Size | SHA-256 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the job summary has no %q:\n%s", want, md)
		}
	}
	m, err := artifact.Load(p.Out)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range m.Filter(artifact.ByKind(artifact.Archive, artifact.Checksums)) {
		if row := "| " + a.Path + " | " + string(a.Kind) + " | "; !strings.Contains(md, row) || !strings.Contains(md, "`"+a.SHA256+"`") {
			t.Errorf("the package table has no row for %s with its sha256:\n%s", a.Path, md)
		}
	}
	// The step outputs the attestation step reads, and the provenance
	// names the module's directory in the repository.
	got := outputs(t, outFile)
	if got["checksums"] != filepath.Join(p.Out, "tool_1.0.0_checksums.txt") || got["provenance"] != filepath.Join(p.Out, "tool_1.0.0.intoto.json") {
		t.Errorf("step outputs %v, want the paths of the checksums file and the provenance", got)
	}
	if prov, err := os.ReadFile(filepath.Join(p.Out, "tool_1.0.0.intoto.json")); err != nil || !bytes.Contains(prov, []byte(`"moduleDir": "mod"`)) {
		t.Errorf("the provenance does not record the module's directory mod: %v\n%s", err, prov)
	}
	if strings.Contains(w.String()[built:], "::") {
		t.Errorf("verify or package printed a workflow command:\n%s", w.String())
	}
}

// TestWorkflowLints: the sample app's release workflow passes actionlint,
// and attests kiln's provenance with GitHub's own action: the release job
// may mint an OIDC token and write attestations, and the attestation's
// subjects and predicate are the files package names in its step outputs
// (a misspelt step reference fails the lint).
func TestWorkflowLints(t *testing.T) {
	bin := testtool.Need(t, "actionlint")[0]
	wf := filepath.Join("..", "sample-app", ".github", "workflows", "release.yml")
	out, err := exec.Command(bin, "-no-color", wf).CombinedOutput()
	if err != nil {
		t.Fatalf("actionlint %s: %v\n%s", wf, err, out)
	}
	data, err := os.ReadFile(wf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"id-token: write", "attestations: write", "uses: actions/attest@v2",
		"subject-checksums: ${{ steps.package.outputs.checksums }}", "predicate-type: https://slsa.dev/provenance/v1",
		"PROVENANCE: ${{ steps.package.outputs.provenance }}", "COSIGN_PASSWORD: ${{ secrets.COSIGN_PASSWORD }}"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("%s has no %q", wf, want)
		}
	}
	broken := filepath.Join(t.TempDir(), "release.yml")
	if err := os.WriteFile(broken, bytes.ReplaceAll(data, []byte("steps.package.outputs"), []byte("steps.pkg.outputs")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-no-color", broken).CombinedOutput(); err == nil || !strings.Contains(string(out), "pkg") {
		t.Errorf("actionlint passed a workflow that reads the outputs of a step that does not exist: %v\n%s", err, out)
	}
}
