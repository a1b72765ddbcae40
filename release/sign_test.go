package release

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/sigbundle"
	"github.com/kiln-build/kiln/evidence/sigcheck"
	"github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/internal/testtool"
	tsigning "github.com/kiln-build/kiln/targets/signing"
)

// testSigning is the loader a magefile sets: targets/signing.New's.
var testSigning = tsigning.New()

// TestSign: with a key, package signs the checksums file and the
// provenance into <file>.sigstore.json bundles, recorded as signatures
// and not in the checksums file; they verify with the public key (in
// process, and with the real cosign offline), and a changed checksums
// file, a changed provenance and another key each fail. cosign's encrypted
// key signs with COSIGN_PASSWORD; the same key signs the same bytes. A
// key without its password, a wrong password, a key without Signing
// configured and a missing key file are refused naming what to set,
// before anything is packaged; without a key nothing is signed, said once.
func TestSign(t *testing.T) {
	dir := testModule(t)
	gitRepo(t, dir)
	keys := t.TempDir()
	key, other := newTestKey(t, keys, "s3cret"), newTestKey(t, t.TempDir(), "other")
	env := []string{"KILN_MATRIX=linux/amd64,windows/amd64", "KILN_VERSION=1.2.3"}
	mustRun(t, dir, env, (*Plan).Build)
	mustRun(t, dir, env, (*Plan).Verify)
	out := mustRun(t, dir, append(env, "KILN_SIGNING_KEY="+key.PEM), (*Plan).Package)

	const sums, prov = "tool_1.2.3_checksums.txt", "tool_1.2.3.intoto.json"
	dist := filepath.Join(dir, "dist")
	m, err := artifact.Load(dist)
	if err != nil {
		t.Fatal(err)
	}
	var sigs []string
	for _, a := range m.Filter(artifact.ByKind(artifact.Signature)) {
		sigs = append(sigs, a.Path)
	}
	if strings.Join(sigs, " ") != prov+".sigstore.json "+sums+".sigstore.json" {
		t.Fatalf("signature entries %q, want the checksums file's and the provenance's bundles\n%s", sigs, out)
	}
	if data := readDist(t, dir, sums); bytes.Contains(data, []byte("sigstore")) {
		t.Errorf("the checksums file lists a bundle:\n%s", data)
	}
	v, err := sigcheck.NewVerifier(key.Public)
	if err != nil {
		t.Fatal(err)
	}
	blob, att := readDist(t, dir, sums+".sigstore.json"), readDist(t, dir, prov+".sigstore.json")
	if err := v.VerifyBlob("checksums bundle", blob, readDist(t, dir, sums)); err != nil {
		t.Error(err)
	}
	if err := v.VerifyStatement("provenance bundle", att, readDist(t, dir, prov)); err != nil {
		t.Error(err)
	}

	t.Run("cosign", func(t *testing.T) {
		cosignChecks(t, dist, key, other, sums, prov, "tool_1.2.3_linux_amd64.tar.gz")
	})

	// cosign's encrypted key with its password: its own bundles; the same
	// key again, the same bytes.
	withPassword := append(env, "KILN_SIGNING_KEY="+key.Cosign, "COSIGN_PASSWORD=s3cret")
	mustRun(t, dir, withPassword, (*Plan).Package)
	if again := readDist(t, dir, sums+".sigstore.json"); !bytes.Equal(again, blob) {
		t.Errorf("the same key signed the same checksums file into other bytes:\n%s\n%s", blob, again)
	}
	if err := v.VerifyStatement("provenance bundle", readDist(t, dir, prov+".sigstore.json"), readDist(t, dir, prov)); err != nil {
		t.Errorf("signed with cosign's encrypted key: %v", err)
	}

	before := readDist(t, dir, prov+".sigstore.json")
	for _, tt := range []struct {
		name string
		s    Settings
		env  []string
		want string
	}{
		{"no password", signingSettings(testSigning), []string{"KILN_SIGNING_KEY=" + key.Cosign}, "is encrypted: set COSIGN_PASSWORD"},
		{"wrong password", signingSettings(testSigning), []string{"KILN_SIGNING_KEY=" + key.Cosign, "COSIGN_PASSWORD=guess"}, "COSIGN_PASSWORD does not open the signing key"},
		{"no Signing", signingSettings(nil), []string{"KILN_SIGNING_KEY=" + key.PEM}, "set Config.Package.Signing = signing.New()"},
		{"missing key file", signingSettings(testSigning), []string{"KILN_SIGNING_KEY=" + filepath.Join(keys, "nope.pem")}, "KILN_SIGNING_KEY=" + filepath.Join(keys, "nope.pem")},
		{"not a key", signingSettings(testSigning), []string{"KILN_SIGNING_KEY=" + key.Pub}, "KILN_SIGNING_KEY=" + key.Pub},
		{"configured key, no password", func() Settings {
			s := signingSettings(testSigning)
			s.Package.SigningKey = key.Cosign
			return s
		}(), nil, "(Config.Package.SigningKey) is encrypted"},
	} {
		out, err := runWith(t, dir, tt.s, append(env, tt.env...), (*Plan).Package)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: package = %v, want an error containing %q\n%s", tt.name, err, tt.want, out)
		}
		if strings.Contains(out, ".spdx.json") {
			t.Errorf("%s: package went on after the key was refused:\n%s", tt.name, out)
		}
	}
	if !bytes.Equal(readDist(t, dir, prov+".sigstore.json"), before) {
		t.Error("a refused key changed the release's bundles")
	}

	// No key: not signed, said once, and the earlier release's bundles go.
	out = mustRun(t, dir, env, (*Plan).Package)
	if n := strings.Count(out, "not signed"); n != 1 {
		t.Errorf("package without a key says %d times that it does not sign, want once:\n%s", n, out)
	}
	if _, err := os.Stat(filepath.Join(dist, sums+".sigstore.json")); !os.IsNotExist(err) {
		t.Errorf("a bundle of an earlier package is left beside an unsigned release: %v", err)
	}
}

// signingSettings are run's settings with load as Signing.
func signingSettings(load sigbundle.Loader) Settings {
	s := testSettings()
	s.Package.Signing = load
	return s
}

// cosignChecks verifies the bundles in dist with the real cosign, offline,
// and checks that a changed checksums file, a changed provenance and
// another key each fail.
func cosignChecks(t *testing.T, dist string, key, other testKey, sums, prov, archive string) {
	testtool.Need(t, "cosign")
	work := t.TempDir()
	copyFile := func(name string, edit func([]byte) []byte) {
		data, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			data = edit(data)
		}
		if err := os.WriteFile(filepath.Join(work, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{sums, sums + ".sigstore.json", prov + ".sigstore.json", archive} {
		copyFile(n, nil)
	}
	changed := func(name string) string { return "changed_" + name }
	data, _ := os.ReadFile(filepath.Join(dist, sums))
	if err := os.WriteFile(filepath.Join(work, changed(sums)), bytes.Replace(data, []byte("tool"), []byte("evil"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	bundle, _ := os.ReadFile(filepath.Join(dist, prov+".sigstore.json"))
	if err := os.WriteFile(filepath.Join(work, changed(prov)+".sigstore.json"), testtool.ChangeStatement(t, bundle), 0o644); err != nil {
		t.Fatal(err)
	}
	tr := filepath.Join(work, "trusted_root.json")
	if err := os.WriteFile(tr, []byte(signing.TrustedRootJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	blob := func(pub, bundle, file string) []string {
		return []string{"verify-blob", "--key", pub, "--bundle", bundle, "--new-bundle-format", "--trusted-root", tr, "--insecure-ignore-tlog=true", file}
	}
	att := func(pub, bundle, file string) []string {
		return []string{"verify-blob-attestation", "--key", pub, "--bundle", bundle, "--new-bundle-format", "--trusted-root", tr,
			"--insecure-ignore-tlog=true", "--type", "slsaprovenance1", file}
	}
	for _, args := range [][]string{blob(key.Pub, sums+".sigstore.json", sums), att(key.Pub, prov+".sigstore.json", archive)} {
		if out, err := testtool.Cosign(t, work, nil, args...); err != nil || !strings.Contains(out, "Verified OK") {
			t.Errorf("cosign %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	for _, tt := range []struct {
		name, want string
		args       []string
	}{
		{"changed checksums", "invalid signature", blob(key.Pub, sums+".sigstore.json", changed(sums))},
		{"changed provenance", "accepted signatures do not match threshold", att(key.Pub, changed(prov)+".sigstore.json", archive)},
		{"another key, checksums", "invalid signature", blob(other.Pub, sums+".sigstore.json", sums)},
		{"another key, provenance", "accepted signatures do not match threshold", att(other.Pub, prov+".sigstore.json", archive)},
	} {
		if out, err := testtool.Cosign(t, work, nil, tt.args...); err == nil || !strings.Contains(out, tt.want) {
			t.Errorf("%s: cosign %s = %v, want a failure saying %q:\n%s", tt.name, strings.Join(tt.args, " "), err, tt.want, out)
		}
	}
}
