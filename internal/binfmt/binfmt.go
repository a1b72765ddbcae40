// Package binfmt names the executable format of a file from its magic
// bytes: kiln's one sniffer, shared by verify and evidence/bindiff, with
// their one ErrNotExecutable.
package binfmt

import (
	"bytes"
	"debug/macho"
	"errors"
)

// ErrNotExecutable is wrapped by every error that means an input is not a
// readable executable: unknown format, truncated or corrupt headers.
var ErrNotExecutable = errors.New("not an executable")

// Format is an executable format.
type Format string

// The formats Sniff names.
const (
	ELF       Format = "elf"
	PE        Format = "pe"
	MachO     Format = "macho"
	Universal Format = "macho-universal" // a universal (fat) Mach-O
)

// Sniff names the format of a file that starts with b (4 bytes suffice),
// or returns "".
func Sniff(b []byte) Format {
	switch {
	case bytes.HasPrefix(b, []byte("\x7fELF")):
		return ELF
	case bytes.HasPrefix(b, []byte("MZ")):
		return PE
	case bytes.HasPrefix(b, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.HasPrefix(b, []byte{0xce, 0xfa, 0xed, 0xfe}),
		bytes.HasPrefix(b, []byte{0xfe, 0xed, 0xfa, 0xcf}), bytes.HasPrefix(b, []byte{0xcf, 0xfa, 0xed, 0xfe}):
		return MachO
	case bytes.HasPrefix(b, []byte{0xca, 0xfe, 0xba, 0xbe}):
		return Universal
	}
	return ""
}

// Name is the format's name for people: "ELF", "PE", "Mach-O",
// "universal Mach-O".
func (f Format) Name() string {
	switch f {
	case ELF:
		return "ELF"
	case PE:
		return "PE"
	case MachO:
		return "Mach-O"
	case Universal:
		return "universal Mach-O"
	}
	return string(f)
}

// MachOArch is the GOARCH of a Mach-O CPU type; false for one Go does not
// build for.
func MachOArch(c macho.Cpu) (string, bool) {
	switch c {
	case macho.CpuAmd64:
		return "amd64", true
	case macho.CpuArm64:
		return "arm64", true
	case macho.Cpu386:
		return "386", true
	case macho.CpuArm:
		return "arm", true
	case macho.CpuPpc64:
		return "ppc64", true
	case macho.CpuPpc:
		return "ppc", true
	}
	return "", false
}
