package verify

import (
	"runtime"

	"github.com/kiln-build/kiln/matrix"
)

// Tool is a command a check runs, with the Debian package that provides it.
type Tool struct {
	// Command is the name looked up in PATH: "bwrap", "qemu-aarch64-static".
	Command string
	// DebianPackage is the Debian (and Ubuntu) package to install for it.
	DebianPackage string
}

// NotFound is the reason shown when the tool is missing:
// "bwrap not found (apt-get install bubblewrap)".
func (t Tool) NotFound() string {
	return t.Command + " not found (apt-get install " + t.DebianPackage + ")"
}

// qemuArch maps GOARCH to the qemu-user name, for qemu-NAME-static.
var qemuArch = map[string]string{
	"amd64": "x86_64", "386": "i386", "arm64": "aarch64", "arm": "arm",
	"ppc64": "ppc64", "ppc64le": "ppc64le", "riscv64": "riscv64", "s390x": "s390x",
	"mips": "mips", "mipsle": "mipsel", "mips64": "mips64", "mips64le": "mips64el",
	"loong64": "loongarch64",
}

// RunTools returns the commands Smoke and Run need for a binary of platform
// p on this host, in the order they are looked up: bwrap, then
// qemu-ARCH-static when the host cannot run p's arch natively. It returns
// nil for a platform whose binaries are not run (not linux) and leaves out
// the emulator of an arch qemu does not know. A toolchain installer can
// apt-get install the DebianPackage of each.
func RunTools(p matrix.Platform) []Tool {
	if p.OS != "linux" {
		return nil
	}
	tools := []Tool{{Command: "bwrap", DebianPackage: "bubblewrap"}}
	if native(p.Arch) {
		return tools
	}
	if q, ok := qemuArch[p.Arch]; ok {
		// The statically linked emulators: the dynamic qemu-user ones
		// cannot load inside the empty root.
		tools = append(tools, Tool{Command: "qemu-" + q + "-static", DebianPackage: "qemu-user-static"})
	}
	return tools
}

// native reports whether the host runs arch without an emulator.
func native(arch string) bool {
	return arch == runtime.GOARCH || runtime.GOARCH == "amd64" && arch == "386"
}
