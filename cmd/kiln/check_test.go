package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/evidence/audit"
	"github.com/kiln-build/kiln/evidence/signing"
	"github.com/kiln-build/kiln/internal/testtool"
)

const (
	sums      = "sample-app_1.2.3_checksums.txt"
	prov      = "sample-app_1.2.3.intoto.json"
	linuxTar  = "sample-app_1.2.3_linux_amd64.tar.gz"
	ctlSBOM   = "sample-app_1.2.3_linux_amd64_samplectl.spdx.json"
	sumsSig   = sums + ".sigstore.json"
	provSig   = prov + ".sigstore.json"
	windowsZi = "sample-app_1.2.3_windows_amd64.zip"
)

// TestCheckSampleRelease: the packaged sample release, copied away from
// its repository and signed, passes every check with the key, the
// repository and the commit pinned: both signatures, the subjects, the
// source, and for each of the four archived binaries its checksum, SBOM,
// platform, static linkage and build. --json says the same to a machine.
func TestCheckSampleRelease(t *testing.T) {
	dir, s := sampleCopy(t)
	resign(t, dir, s, linuxTar) // any published file may carry a bundle: checked by its digest
	out, errOut, code := kiln(t, "check", "--key", pub("key.pub"), "--repo", s.repo, "--commit", s.commit[:12], dir)
	if code != exitOK {
		t.Fatalf("kiln check = exit %d, want 0\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"ok           signature  " + sumsSig,
		"ok           signature  " + provSig,
		"ok           signature  " + linuxTar + ".sigstore.json",
		"ok           subjects   " + prov,
		"ok           source     " + prov,
		"every claim checked holds",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the table lacks %q:\n%s", want, out)
		}
	}

	// --json, flags after the directory.
	out, errOut, code = kiln(t, "check", dir, "--json", "--key", pub("key.pub"))
	if code != exitOK {
		t.Fatalf("kiln check --json = exit %d\n%s%s", code, out, errOut)
	}
	var rep audit.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json printed %v:\n%s", err, out)
	}
	got := map[string]int{}
	for _, r := range rep.Results {
		if r.Status == audit.OK {
			got[r.Claim]++
		}
	}
	// 4 archived binaries: each a sha256 (beside the 6 published files),
	// platform, static, build and SBOM row.
	want := map[string]int{"sha256": 6 + 4, "signature": 3, "subjects": 1, "platform": 4, "static": 4, "build": 4, "sbom": 4}
	for claim, n := range want {
		if got[claim] != n {
			t.Errorf("%d ok %s claims, want %d: %+v", got[claim], claim, n, rep.Results)
		}
	}
	if !rep.OK || rep.Commit != s.commit {
		t.Errorf("report ok=%v commit=%s, want ok and %s", rep.OK, rep.Commit, s.commit)
	}

	// Without a key, the bundles are there but not checked: not a failure.
	out, _, code = kiln(t, "check", dir)
	if code != exitOK || !strings.Contains(out, "not checked  signature  "+sumsSig) {
		t.Errorf("kiln check without --key = exit %d, want 0 with the signatures not checked:\n%s", code, out)
	}

	// The real cosign agrees: the archive is a subject of the signed
	// provenance, the checksums file is signed.
	cosign, err := exec.LookPath("cosign")
	switch {
	case err != nil && testtool.InCI():
		t.Errorf("required in CI: cosign not found in PATH (the test command installs it)")
	case err != nil:
		t.Logf("cosign not found in PATH (the test command installs it): its cross-check did not run")
	default:
		tr := filepath.Join(t.TempDir(), "trusted_root.json")
		if err := os.WriteFile(tr, []byte(signing.TrustedRootJSON), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"verify-blob", "--key", pub("key.pub"), "--bundle", sumsSig, "--new-bundle-format", "--trusted-root", tr, "--insecure-ignore-tlog=true", sums},
			{"verify-blob-attestation", "--key", pub("key.pub"), "--bundle", provSig, "--new-bundle-format", "--trusted-root", tr,
				"--insecure-ignore-tlog=true", "--type", "slsaprovenance1", linuxTar},
		} {
			if o, err := command(context.Background(), dir, env("HOME="+t.TempDir()), cosign, args...); err != nil || !strings.Contains(o, "Verified OK") {
				t.Errorf("cosign: %v\n%s", err, o)
			}
		}
	}
}

// TestCheckFails: each tampering fails the check, exit 1, with a FAIL row
// naming the file that lies.
func TestCheckFails(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string, s *sampleRelease)
		args   func(s *sampleRelease) []string
		file   string // the FAIL row's file starts with it
		claim  string
		detail string
	}{
		{
			name: "tampered archive, checksums updated",
			tamper: func(t *testing.T, dir string, s *sampleRelease) {
				// samplectl is swapped for the service's binary.
				entries := unpack(t, dir, linuxTar)
				swapEntry(t, dir, linuxTar, "samplectl", entries["sample-app"])
				updateSums(t, dir, linuxTar)
			},
			file: linuxTar + "!samplectl", claim: "sha256", detail: "lists",
		},
		{
			name: "tampered archive: its SBOM no longer describes it",
			tamper: func(t *testing.T, dir string, s *sampleRelease) {
				entries := unpack(t, dir, linuxTar)
				swapEntry(t, dir, linuxTar, "samplectl", entries["sample-app"])
				updateSums(t, dir, linuxTar)
			},
			file: ctlSBOM, claim: "sbom", detail: "sha256",
		},
		{
			name: "SBOM lists another module",
			tamper: func(t *testing.T, dir string, s *sampleRelease) {
				addModule(t, filepath.Join(dir, ctlSBOM), "github.com/evil/backdoor", "v6.6.6")
				updateSums(t, dir, ctlSBOM)
			},
			file: ctlSBOM, claim: "sbom", detail: "github.com/evil/backdoor",
		},
		{
			name: "provenance subject missing (re-signed)",
			tamper: func(t *testing.T, dir string, s *sampleRelease) {
				dropSubject(t, filepath.Join(dir, prov), windowsZi)
				resign(t, dir, s, prov)
			},
			file: prov, claim: "subjects", detail: "subject " + windowsZi + " is missing",
		},
		{
			name: "dynamically linked binary in an archive",
			tamper: func(t *testing.T, dir string, s *sampleRelease) {
				bin := dynamicBinary(t)
				swapEntry(t, dir, linuxTar, "samplectl", bin)
				// Its SBOM and the checksums say what it is: only the
				// linkage can give it away.
				writeSBOM(t, filepath.Join(dir, ctlSBOM), "sample-app_linux_amd64/samplectl", bin)
				updateSums(t, dir, linuxTar, ctlSBOM)
			},
			file: linuxTar + "!samplectl", claim: "static", detail: "libc.so",
		},
		{
			name: "bundle signed by another key",
			tamper: func(t *testing.T, dir string, s *sampleRelease) {
				signer, err := signing.NewSigner(s.other)
				if err != nil {
					t.Fatal(err)
				}
				if err := signFiles(signer, dir, sums); err != nil {
					t.Fatal(err)
				}
			},
			file: sumsSig, claim: "signature", detail: "does not verify with the key",
		},
		{
			name:   "checksums file changed after signing",
			tamper: func(t *testing.T, dir string, s *sampleRelease) { updateSums(t, dir, linuxTar); appendLine(t, dir) },
			file:   sumsSig, claim: "signature", detail: "does not verify",
		},
		{
			name:   "bundle removed",
			tamper: func(t *testing.T, dir string, s *sampleRelease) { os.Remove(filepath.Join(dir, provSig)) },
			file:   provSig, claim: "signature", detail: "missing",
		},
		{
			name:   "another commit",
			tamper: func(*testing.T, string, *sampleRelease) {},
			args:   func(*sampleRelease) []string { return []string{"--commit", "0123456789abcdef"} },
			file:   prov, claim: "source", detail: "not 0123456789abcdef",
		},
		{
			name:   "another repository",
			tamper: func(*testing.T, string, *sampleRelease) {},
			args:   func(*sampleRelease) []string { return []string{"--repo", "https://github.com/someone/else"} },
			file:   prov, claim: "source", detail: "not https://github.com/someone/else",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, s := sampleCopy(t)
			tt.tamper(t, dir, s)
			args := []string{"check", "--json", "--key", pub("key.pub")}
			if tt.args != nil {
				args = append(args, tt.args(s)...)
			}
			out, errOut, code := kiln(t, append(args, dir)...)
			if code != exitFailed {
				t.Fatalf("kiln check = exit %d, want %d\n%s%s", code, exitFailed, out, errOut)
			}
			var rep audit.Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("--json printed %v:\n%s", err, out)
			}
			for _, f := range rep.Failed() {
				if strings.HasPrefix(f.File, tt.file) && f.Claim == tt.claim && strings.Contains(f.Detail, tt.detail) {
					t.Logf("FAIL %s %s: %s", f.Claim, f.File, f.Detail)
					return
				}
			}
			t.Errorf("no FAIL row for %s, claim %s, saying %q; failures: %+v", tt.file, tt.claim, tt.detail, rep.Failed())
		})
	}
}

// TestCheckUsage: what the command cannot check is exit 2 with a reason.
func TestCheckUsage(t *testing.T) {
	empty := t.TempDir()
	notKey := filepath.Join(empty, "not.pub")
	if err := os.WriteFile(notKey, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "want a command"},
		{[]string{"check"}, "no DIR given"},
		{[]string{"check", empty}, "no *_checksums.txt"},
		{[]string{"check", "--key", notKey, empty}, "no PEM block"},
		{[]string{"check", "a", "b"}, "one DIR"},
	} {
		_, errOut, code := kiln(t, tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("kiln %q = exit %d, %q; want exit %d saying %q", tt.args, code, errOut, exitUsage, tt.want)
		}
	}
}
