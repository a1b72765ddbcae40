package oci

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/internal/testtool"
	"github.com/kiln-build/kiln/matrix"
)

// qemu names the qemu-user emulator of each foreign test architecture.
var qemu = map[string]string{"arm64": "qemu-aarch64-static", "arm": "qemu-arm-static"}

// TestRunImage unpacks each platform's image with umoci as a runtime
// bundle and runs its entrypoint in the bundle's root with bubblewrap, as
// the user the bundle says (natively or through qemu): the program finds
// the CA bundle and its user, and gets the image's Cmd.
func TestRunImage(t *testing.T) {
	tools := testtool.Need(t, "skopeo", "umoci", "bwrap")
	tarPath, _ := testArchive(t)
	for _, p := range testPlatforms {
		t.Run(p.Slug(), func(t *testing.T) {
			var emulator string
			if q, ok := qemu[p.Arch]; ok {
				emulator = testtool.Need(t, q)[0]
			}
			bundle := unpack(t, tools[0], tools[1], tarPath, p)
			cmd := bwrapCommand(t, tools[2], bundle, emulator, nil)
			out, err := cmd.CombinedOutput()
			want := `uid=65532 user=nonroot home=/home/nonroot args=["hello" "world"]`
			if err != nil || strings.TrimSpace(string(out)) != want {
				t.Fatalf("%s in the image = %q, %v; want %q", cmd.Args, out, err, want)
			}
			if p.Arch != "amd64" {
				return
			}
			// Negative: without the image's /etc the program cannot find the
			// CA bundle, so the run check does look at what the image holds.
			cmd = bwrapCommand(t, tools[2], bundle, emulator, map[string]bool{"etc": true})
			out, err = cmd.CombinedOutput()
			if err == nil || !strings.HasPrefix(string(out), "certs:") {
				t.Errorf("without /etc: %q, %v; want a failure about certs", out, err)
			}
		})
	}
}

// unpack selects p's image from the archive with skopeo (umoci takes one
// manifest per tag) and unpacks it with umoci into a runtime bundle.
func unpack(t *testing.T, skopeo, umoci, tarPath string, p matrix.Platform) string {
	t.Helper()
	dir := t.TempDir()
	layoutDir, bundle := filepath.Join(dir, "layout"), filepath.Join(dir, "bundle")
	args := append([]string{"copy", "--quiet"}, overrides(p)...)
	run(t, skopeo, append(args, "oci-archive:"+tarPath, "oci:"+layoutDir+":1.2.3")...)
	args = []string{"unpack"}
	if os.Geteuid() != 0 {
		args = append(args, "--rootless")
	}
	run(t, umoci, append(args, "--image", layoutDir+":1.2.3", bundle)...)
	return bundle
}

// bwrapCommand returns the command that runs the bundle's process in its
// root filesystem (minus the top-level entries in leave) as the bundle's
// user, through emulator when it is not empty.
func bwrapCommand(t *testing.T, bwrap, bundle, emulator string, leave map[string]bool) *exec.Cmd {
	t.Helper()
	var spec struct {
		Process struct {
			User struct{ UID, GID int }
			Args []string
		}
	}
	b, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err == nil {
		err = json.Unmarshal(b, &spec)
	}
	if err != nil {
		t.Fatalf("bundle config: %v", err)
	}
	if spec.Process.User.UID != nonrootUID || spec.Process.User.GID != nonrootUID {
		t.Fatalf("bundle user = %+v, want %d:%d (the image's User)", spec.Process.User, nonrootUID, nonrootUID)
	}
	rootfs := filepath.Join(bundle, "rootfs")
	entries, err := os.ReadDir(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--tmpfs", "/"}
	for _, e := range entries {
		if !leave[e.Name()] && e.Name() != "tmp" {
			args = append(args, "--ro-bind", filepath.Join(rootfs, e.Name()), "/"+e.Name())
		}
	}
	args = append(args, "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc",
		"--unshare-all", "--die-with-parent", "--clearenv",
		"--uid", strconv.Itoa(spec.Process.User.UID), "--gid", strconv.Itoa(spec.Process.User.GID))
	if emulator != "" {
		args = append(args, "--ro-bind", emulator, "/.qemu", "/.qemu")
	}
	args = append(args, spec.Process.Args...)
	return exec.CommandContext(context.Background(), bwrap, args...)
}
