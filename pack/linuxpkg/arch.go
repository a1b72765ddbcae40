package linuxpkg

import (
	"fmt"

	"github.com/kiln-build/kiln/matrix"
)

// allFormats are the package formats Build writes, in the order it writes
// them when Options.Formats is empty.
var allFormats = []string{"deb", "rpm", "apk"}

// UnsupportedError reports a platform that a package format has no
// architecture name for.
type UnsupportedError struct {
	Format   string
	Platform matrix.Platform
	Reason   string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("%s package for %s: %s", e.Format, e.Platform, e.Reason)
}

// archNames maps a GOARCH (or "arm/<GOARM>", "386/softfloat") to the
// architecture name of each format: Debian's dpkg-architecture names,
// RPM's (Fedora's) names and Alpine's.
var archNames = map[string]map[string]string{
	"amd64":         {"deb": "amd64", "rpm": "x86_64", "apk": "x86_64"},
	"arm64":         {"deb": "arm64", "rpm": "aarch64", "apk": "aarch64"},
	"arm/7":         {"deb": "armhf", "rpm": "armv7hl", "apk": "armv7"},
	"arm/6":         {"deb": "armel", "rpm": "armv6hl", "apk": "armhf"},
	"arm/5":         {"deb": "armel", "rpm": "armv5tel", "apk": "armhf"},
	"386":           {"deb": "i386", "rpm": "i686", "apk": "x86"},
	"386/softfloat": {"deb": "i386", "rpm": "i386", "apk": "x86"},
	"ppc64le":       {"deb": "ppc64el", "rpm": "ppc64le", "apk": "ppc64le"},
	"ppc64":         {"deb": "ppc64", "rpm": "ppc64"},
	"s390x":         {"deb": "s390x", "rpm": "s390x", "apk": "s390x"},
	"riscv64":       {"deb": "riscv64", "rpm": "riscv64", "apk": "riscv64"},
	"loong64":       {"deb": "loong64", "rpm": "loongarch64", "apk": "loongarch64"},
	"mips64le":      {"deb": "mips64el", "rpm": "mips64el"},
	"mipsle":        {"deb": "mipsel", "rpm": "mipsel"},
	"mips":          {"deb": "mips", "rpm": "mips"},
	"mips64":        {"deb": "mips64", "rpm": "mips64"},
}

// Arch returns the architecture name that format ("deb", "rpm" or "apk")
// uses for the linux platform p: amd64 is amd64/x86_64/x86_64, arm64 is
// arm64/aarch64/aarch64, linux/arm/7 is armhf/armv7hl/armv7, linux/arm/6
// is armel/armv6hl/armhf, 386 is i386/i686/x86. An arm platform without a
// variant is GOARM=7, Go's default when cross-compiling. Other operating
// systems, and arches a format does not know, are an *UnsupportedError.
func Arch(format string, p matrix.Platform) (string, error) {
	if !isFormat(format) {
		return "", fmt.Errorf("unknown package format %q (want deb, rpm or apk)", format)
	}
	if p.OS != "linux" {
		return "", &UnsupportedError{format, p, "packages are for linux only"}
	}
	key := p.Arch
	switch {
	case p.Arch == "arm":
		key = "arm/" + cmpOr(p.Variant, "7")
	case p.Arch == "386" && p.Variant == "softfloat":
		key = "386/softfloat"
	}
	if name := archNames[key][format]; name != "" {
		return name, nil
	}
	return "", &UnsupportedError{format, p, "the format has no name for this architecture"}
}

func isFormat(f string) bool {
	for _, ok := range allFormats {
		if f == ok {
			return true
		}
	}
	return false
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
