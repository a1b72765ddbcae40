package verify

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// elfArch maps an ELF machine to GOARCH, given the class and byte order.
func elfArch(f *elf.File) string {
	le := f.ByteOrder == binary.LittleEndian
	is64 := f.Class == elf.ELFCLASS64
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_386:
		return "386"
	case elf.EM_AARCH64:
		return "arm64"
	case elf.EM_ARM:
		return "arm"
	case elf.EM_PPC64:
		if le {
			return "ppc64le"
		}
		return "ppc64"
	case elf.EM_RISCV:
		if is64 {
			return "riscv64"
		}
		return "riscv"
	case elf.EM_S390:
		return "s390x"
	case elf.EM_LOONGARCH:
		return "loong64"
	case elf.EM_MIPS, elf.EM_MIPS_RS3_LE:
		switch {
		case is64 && le:
			return "mips64le"
		case is64:
			return "mips64"
		case le:
			return "mipsle"
		}
		return "mips"
	case elf.EM_SPARCV9:
		return "sparc64"
	case elf.EM_PPC:
		return "ppc"
	}
	return "unknown(" + f.Machine.String() + ")"
}

// ARM EABI float ABI flags (e_flags).
const (
	efARMABIFloatSoft = 0x200
	efARMABIFloatHard = 0x400
)

// elfOS derives GOOS from OSABI, then from identifying notes, else "linux".
func elfOS(f *elf.File) string {
	switch f.OSABI {
	case elf.ELFOSABI_FREEBSD:
		return "freebsd"
	case elf.ELFOSABI_NETBSD:
		return "netbsd"
	case elf.ELFOSABI_OPENBSD:
		return "openbsd"
	case elf.ELFOSABI_SOLARIS:
		return "solaris"
	case elf.ELFOSABI_AIX:
		return "aix"
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE || p.Filesz == 0 || p.Filesz > 1<<16 {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err != nil {
			continue
		}
		if os := noteOS(b, f.ByteOrder); os != "" {
			return os
		}
	}
	return "linux"
}

// noteOS scans ELF notes for one that names the OS.
func noteOS(b []byte, bo binary.ByteOrder) string {
	for len(b) >= 12 {
		namesz, descsz, typ := bo.Uint32(b), bo.Uint32(b[4:]), bo.Uint32(b[8:])
		b = b[12:]
		n, d := align4(namesz), align4(descsz)
		if n > uint64(len(b)) || n+d > uint64(len(b)) {
			return ""
		}
		name := string(bytes.TrimRight(b[:namesz], "\x00"))
		desc := b[n : n+uint64(descsz)]
		b = b[n+d:]
		switch name {
		case "NetBSD":
			return "netbsd"
		case "OpenBSD":
			return "openbsd"
		case "FreeBSD":
			return "freebsd"
		case "DragonFly":
			return "dragonfly"
		case "Android":
			return "android"
		case "GNU":
			if typ == 1 && len(desc) >= 4 { // NT_GNU_ABI_TAG
				switch bo.Uint32(desc) {
				case 0:
					return "linux"
				case 1:
					return "hurd"
				case 2:
					return "solaris"
				case 3:
					return "freebsd"
				}
			}
		}
	}
	return ""
}

func align4(n uint32) uint64 { return (uint64(n) + 3) &^ 3 }

func readELF(r io.ReaderAt) (*Report, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, err
	}
	rep := &Report{Format: "elf", OS: elfOS(f), Arch: elfArch(f)}
	if f.Machine == elf.EM_ARM && f.Class == elf.ELFCLASS32 {
		// e_flags is not in elf.FileHeader; it sits at offset 36 in ELF32.
		var b [4]byte
		if _, err := r.ReadAt(b[:], 36); err != nil {
			return nil, err
		}
		switch flags := f.ByteOrder.Uint32(b[:]); {
		case flags&efARMABIFloatHard != 0:
			rep.ARMFloat = "hard"
		case flags&efARMABIFloatSoft != 0:
			rep.ARMFloat = "soft"
		}
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		if p.Filesz == 0 || p.Filesz > 4096 {
			return nil, fmt.Errorf("PT_INTERP of %d bytes", p.Filesz)
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err != nil {
			return nil, err
		}
		rep.Interp = string(bytes.TrimRight(b, "\x00"))
	}
	if f.SectionByType(elf.SHT_DYNAMIC) == nil {
		for _, p := range f.Progs {
			if p.Type == elf.PT_DYNAMIC {
				// Without section headers debug/elf cannot list DT_NEEDED;
				// refuse rather than call the file static.
				return nil, errors.New("PT_DYNAMIC without a .dynamic section header: cannot list needed libraries")
			}
		}
	}
	needed, err := f.DynString(elf.DT_NEEDED)
	if err != nil {
		return nil, err
	}
	rep.Needed = dedup(needed)
	if f.Type == elf.ET_DYN {
		flags1, _ := f.DynValue(elf.DT_FLAGS_1)
		for _, v := range flags1 {
			if elf.DynFlag1(v)&elf.DF_1_PIE != 0 {
				rep.PIE = true
			}
		}
		if rep.Interp != "" {
			rep.PIE = true
		}
	}
	rep.Stripped = f.Section(".symtab") == nil
	readBuildInfo(rep, r)
	return rep, nil
}
