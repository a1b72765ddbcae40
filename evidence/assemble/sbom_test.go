package assemble

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/evidence/sbom"
	"github.com/kiln-build/kiln/matrix"
)

// TestShippedSBOM: the SBOM of a shipped binary (this test's own, a real
// Go binary) describes it as the SBOM checker expects, its entry is the
// binary's on its platform with its engine key, and the build info is kept
// for the provenance; a file that is no Go binary is an error naming it.
func TestShippedSBOM(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "tool_linux_arm_7"), 0o755)
	for rel, b := range map[string][]byte{"tool_linux_arm_7/tool": data, "tool_linux_arm_7/script": []byte("#!/bin/sh\n")} {
		if err := os.WriteFile(filepath.Join(dir, rel), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	pl := matrix.MustParse("linux/arm/7")
	entry, err := artifact.Describe(dir, artifact.Artifact{Path: "tool_linux_arm_7/tool", Kind: artifact.Binary, Name: "tool", OS: pl.OS, Arch: pl.Arch, Variant: pl.Variant, Key: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	s := Shipped{Binary: "tool", Platform: pl, Entry: entry}
	doc, spdx, err := s.SBOM(dir, "tool_1.0.0_linux_arm_7_tool.spdx.json", "1.0.0", time.Date(2025, 5, 6, 7, 8, 9, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := artifact.Artifact{Path: "tool_1.0.0_linux_arm_7_tool.spdx.json", Kind: artifact.SBOM, Name: "tool", OS: "linux", Arch: "arm", Variant: "7", Key: "k1"}
	if doc.Path != want.Path || doc.Kind != want.Kind || doc.Name != want.Name || doc.Platform() != pl || doc.Key != want.Key {
		t.Errorf("SBOM entry = %+v, want %+v", doc, want)
	}
	if s.Info == nil {
		t.Fatal("SBOM kept no build info for the provenance")
	}
	if err := sbom.CheckWith(spdx, s.Info, sbom.Expect{SHA256: entry.SHA256, Version: "1.0.0", Name: entry.Path}); err != nil {
		t.Errorf("the SBOM does not describe its binary: %v", err)
	}
	if err := sbom.CheckWith(spdx, s.Info, sbom.Expect{SHA256: strings.Repeat("0", 64), Version: "1.0.0", Name: entry.Path}); err == nil {
		t.Error("the SBOM checks against another binary's sha256")
	}

	script, err := artifact.Describe(dir, artifact.Artifact{Path: "tool_linux_arm_7/script", Kind: artifact.Binary, Name: "script"})
	if err != nil {
		t.Fatal(err)
	}
	bad := Shipped{Binary: "script", Platform: pl, Entry: script}
	if _, _, err := bad.SBOM(dir, "x.spdx.json", "1.0.0", time.Time{}); err == nil || !strings.HasPrefix(err.Error(), "sbom tool_linux_arm_7/script: ") {
		t.Errorf("SBOM of a script = %v, want an error naming it", err)
	}
}
