package gobuild

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/kiln-build/kiln/matrix"
)

// crossCC maps a linux GOARCH (and GOARM) to the Debian cross compiler that
// links static binaries for it, and the package that installs it.
var crossCC = map[string][2]string{
	"amd64":   {"x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu libc6-dev-amd64-cross"},
	"arm64":   {"aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"},
	"arm":     {"arm-linux-gnueabihf-gcc", "gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"},
	"arm/5":   {"arm-linux-gnueabi-gcc", "gcc-arm-linux-gnueabi libc6-dev-armel-cross"},
	"arm/6":   {"arm-linux-gnueabi-gcc", "gcc-arm-linux-gnueabi libc6-dev-armel-cross"},
	"386":     {"i686-linux-gnu-gcc", "gcc-i686-linux-gnu libc6-dev-i386-cross"},
	"ppc64le": {"powerpc64le-linux-gnu-gcc", "gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross"},
	"s390x":   {"s390x-linux-gnu-gcc", "gcc-s390x-linux-gnu libc6-dev-s390x-cross"},
	"riscv64": {"riscv64-linux-gnu-gcc", "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross"},
}

// windowsCC maps a windows GOARCH to Debian's mingw-w64 compiler, which
// links a static cgo PE importing only system DLLs, and its package.
// Debian has no mingw-w64 toolchain for arm64.
var windowsCC = map[string][2]string{
	"amd64": {"x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"},
	"386":   {"i686-w64-mingw32-gcc", "gcc-mingw-w64-i686"},
}

// ToolchainError reports a cgo build without a usable C toolchain.
type ToolchainError struct {
	Platform matrix.Platform
	Packages []string // the packages that need cgo
	CC       string   // the compiler looked for, if any
	Install  string   // Debian packages that provide it, if known
	Reason   string   // why kiln knows no toolchain, when it can say
	// Hint is the caller's advice, added to the message on a line of its
	// own: the configuration line that decides the build.
	Hint string
}

func (e *ToolchainError) Error() string {
	msg := "cgo is on but "
	if len(e.Packages) > 0 {
		msg = fmt.Sprintf("needs cgo (packages: %s) but ", strings.Join(e.Packages, ", "))
	}
	switch {
	case e.CC != "" && e.Install != "":
		msg += fmt.Sprintf("the C compiler %s is not installed: apt-get install %s, or set CC for %s in the kiln config", e.CC, e.Install, e.Platform)
	case e.CC != "":
		msg += fmt.Sprintf("the C compiler %s is not installed; install it or set another CC for %s in the kiln config", e.CC, e.Platform)
	case e.Reason != "":
		msg += fmt.Sprintf("%s; set CC for %s in the kiln config, or drop the cgo dependency", e.Reason, e.Platform)
	default:
		msg += fmt.Sprintf("kiln knows no static C toolchain for it; set CC for %s in the kiln config, or drop the cgo dependency", e.Platform)
	}
	if e.Hint != "" {
		msg += "\n" + e.Hint
	}
	return msg
}

// cgoToolchain chooses the C compiler and the extra link flags of a cgo
// build for p. host is the platform kiln runs on; env is the environment
// the build runs with, whose PATH the compiler is looked up in.
func cgoToolchain(p, host matrix.Platform, cc string, pkgs []string, env []string) (string, []string, error) {
	if p.OS == "windows" {
		return windowsToolchain(p, cc, pkgs, env)
	}
	if strings.TrimSpace(cc) != "" && !haveCC(cc, env) {
		return "", nil, &ToolchainError{Platform: p, Packages: pkgs, CC: cc}
	}
	if p.OS != "linux" {
		if cc == "" {
			if p.OS == host.OS && p.Arch == host.Arch {
				return "", nil, nil // the native toolchain; system libraries are fine off linux
			}
			return "", nil, &ToolchainError{Platform: p, Packages: pkgs}
		}
		return cc, nil, nil
	}
	static := staticLink()
	if cc != "" {
		return cc, static, nil
	}
	var want [2]string
	switch {
	case p.Arch == "amd64" && host.Arch == "amd64":
		if lookPath("musl-gcc", env) {
			return "musl-gcc", static, nil
		}
		want = [2]string{"musl-gcc", "musl-tools"}
	case p.Arch == "arm" && (p.Variant == "5" || p.Variant == "6"):
		want = crossCC["arm/"+p.Variant]
	default:
		w, ok := crossCC[p.Arch]
		if !ok {
			return "", nil, &ToolchainError{Platform: p, Packages: pkgs}
		}
		want = w
	}
	if !lookPath(want[0], env) {
		return "", nil, &ToolchainError{Platform: p, Packages: pkgs, CC: want[0], Install: want[1]}
	}
	return want[0], static, nil
}

// windowsToolchain chooses the mingw-w64 compiler of a windows cgo build,
// linked with -extldflags -static so that the PE imports only system DLLs
// (no libgcc, libwinpthread or libstdc++ DLLs beside it).
func windowsToolchain(p matrix.Platform, cc string, pkgs []string, env []string) (string, []string, error) {
	static := staticLink()
	if cc != "" {
		return cc, static, nil
	}
	want, ok := windowsCC[p.Arch]
	switch {
	case !ok && p.Arch == "arm64":
		return "", nil, &ToolchainError{Platform: p, Packages: pkgs,
			Reason: "Debian has no C toolchain for windows/arm64 (no aarch64 mingw-w64 package), so kiln cannot build it with cgo here; set Cgo \"off\" for it if its cgo dependency has a pure Go fallback, or build it on Windows"}
	case !ok:
		return "", nil, &ToolchainError{Platform: p, Packages: pkgs}
	case !lookPath(want[0], env):
		return "", nil, &ToolchainError{Platform: p, Packages: pkgs, CC: want[0], Install: want[1]}
	}
	return want[0], static, nil
}

// staticLink is the -ldflags part of a static cgo link.
func staticLink() []string {
	return []string{"-linkmode", "external", "-extldflags", "-static"}
}

// lookPath reports whether name is an executable in the PATH of env (the
// last PATH wins, as for exec.Cmd), where go build will look for it.
func lookPath(name string, env []string) bool {
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	if runtime.GOOS == "windows" && filepath.Ext(name) == "" {
		name += ".exe"
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		if executable(filepath.Join(dir, name)) {
			return true
		}
	}
	return false
}

func executable(file string) bool {
	fi, err := os.Stat(file)
	return err == nil && fi.Mode().IsRegular() && (runtime.GOOS == "windows" || fi.Mode().Perm()&0o111 != 0)
}

// haveCC reports whether the configured C compiler cc (its first word: CC
// may carry arguments) can run: an absolute path that is executable, or a
// name found in env's PATH. A relative path is the user's to answer for.
func haveCC(cc string, env []string) bool {
	name := strings.Fields(cc)[0]
	switch {
	case filepath.IsAbs(name):
		return executable(name)
	case strings.ContainsRune(name, filepath.Separator) || strings.ContainsRune(name, '/'):
		return true
	}
	return lookPath(name, env)
}

// linkedStatic reports whether a build for p has no dynamic dependencies:
// built without cgo, or with cgo and kiln's static external link (linux),
// unless goflags ask for a position-independent executable, which needs
// an interpreter on ELF systems.
func linkedStatic(p matrix.Platform, cgo bool, extLink []string, goflags string) bool {
	if cgo && len(extLink) == 0 {
		return false
	}
	if p.OS != "windows" && p.OS != "darwin" && p.OS != "ios" {
		for _, f := range strings.Fields(goflags) {
			if m, ok := strings.CutPrefix(strings.TrimLeft(f, "-"), "buildmode="); ok && m != "exe" && m != "default" {
				return false
			}
		}
	}
	return true
}

// goFlags returns the GOFLAGS a build runs with: the environment's, else
// the go command's configuration (in ident).
func goFlags(env []string, ident string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], "GOFLAGS="); ok {
			return v
		}
	}
	return identValue(ident, "GOFLAGS")
}
