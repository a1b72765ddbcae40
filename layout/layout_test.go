package layout

import (
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

// TestNames: every rule of the layout, with a version and without one.
func TestNames(t *testing.T) {
	arm := matrix.Platform{OS: "linux", Arch: "arm", Variant: "7"}
	win := matrix.Platform{OS: "windows", Arch: "amd64"}
	n := Names{Project: "tool", Version: "1.2.3+meta"}
	bare := Names{Project: "tool"}
	for _, tt := range []struct{ name, got, want string }{
		{"PlatformDir", n.PlatformDir(arm), "tool_linux_arm_7"},
		{"BinaryPath", n.BinaryPath("toold", arm), "tool_linux_arm_7/toold"},
		{"BinaryPath windows", n.BinaryPath("toold", win), "tool_windows_amd64/toold.exe"},
		{"BinaryPath without a version", bare.BinaryPath("toold", arm), "tool_linux_arm_7/toold"},
		{"ArchivePath", n.ArchivePath(arm), "tool_1.2.3+meta_linux_arm_7.tar.gz"},
		{"ArchivePath windows", n.ArchivePath(win), "tool_1.2.3+meta_windows_amd64.zip"},
		{"ArchivePath without a version", bare.ArchivePath(win), "tool_windows_amd64.zip"},
		{"SBOMPath", n.SBOMPath("toold", win), "tool_1.2.3+meta_windows_amd64_toold.spdx.json"},
		{"ChecksumsPath", n.ChecksumsPath(), "tool_1.2.3+meta_checksums.txt"},
		{"ChecksumsPath without a version", bare.ChecksumsPath(), "tool_checksums.txt"},
		{"ProvenancePath", n.ProvenancePath(), "tool_1.2.3+meta.intoto.json"},
		{"BundlePath", BundlePath(n.ChecksumsPath()), "tool_1.2.3+meta_checksums.txt.sigstore.json"},
		{"ImagePath", n.ImagePath(), "tool_1.2.3+meta_oci.tar"},
		{"DockerfilePath", n.DockerfilePath(), "tool_1.2.3+meta.Dockerfile"},
		{"DockerfilePath without a version", bare.DockerfilePath(), "tool.Dockerfile"},
		{"ImageTag", n.ImageTag(), "1.2.3_meta"},
		{"ImageTag without a version", bare.ImageTag(), "latest"},
	} {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

// TestIsArchive: the names ArchivePath makes are archives; an SBOM, the
// checksums file and a look-alike are not.
func TestIsArchive(t *testing.T) {
	n := Names{Project: "app", Version: "1.2.3"}
	for _, pl := range []string{"linux/amd64", "windows/arm64", "darwin/arm64"} {
		if name := n.ArchivePath(matrix.MustParse(pl)); !IsArchive(name) {
			t.Errorf("IsArchive(%q) = false for ArchivePath's own name", name)
		}
	}
	for _, name := range []string{n.SBOMPath("app", matrix.MustParse("linux/amd64")), n.ChecksumsPath(), "app_1.2.3_linux_amd64.tar", "app.zip.sig"} {
		if IsArchive(name) {
			t.Errorf("IsArchive(%q) = true", name)
		}
	}
}
