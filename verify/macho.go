package verify

import (
	"bytes"
	"debug/macho"
	"errors"
	"fmt"
	"io"

	"github.com/kiln-build/kiln/internal/binfmt"
)

// Mach-O load commands that debug/macho does not decode.
const (
	lcLoadDylinker    = 0xe
	lcLazyLoadDylib   = 0x20
	lcBuildVersion    = 0x32
	lcLoadWeakDylib   = 0x80000018
	lcReexportDylib   = 0x8000001f
	lcLoadUpwardDylib = 0x80000023
	machoFlagPIE      = 0x200000
	machoNTypeMask    = 0x0e
	machoNSect        = 0x0e
)

func machoArch(c macho.Cpu) string {
	if a, ok := binfmt.MachOArch(c); ok {
		return a
	}
	return fmt.Sprintf("unknown(%#x)", uint32(c))
}

// machoPlatformOS maps an LC_BUILD_VERSION platform to GOOS.
func machoPlatformOS(p uint32) string {
	switch p {
	case 1: // PLATFORM_MACOS
		return "darwin"
	case 2, 3, 4, 6, 7, 8, 9, 11, 12: // iOS, tvOS, watchOS, Catalyst, simulators, visionOS
		return "ios"
	}
	return "darwin"
}

func readMachO(r io.ReaderAt) (*Report, error) {
	f, err := macho.NewFile(r)
	if err != nil {
		return nil, err
	}
	return machoReport(f, r), nil
}

// machoReport builds the report of one (thin) Mach-O file whose bytes are r.
func machoReport(f *macho.File, r io.ReaderAt) *Report {
	rep := &Report{Format: "macho", OS: "darwin", Arch: machoArch(f.Cpu)}
	var libs []string
	for _, l := range f.Loads {
		raw := l.Raw()
		if len(raw) < 12 {
			continue
		}
		cmd := f.ByteOrder.Uint32(raw)
		switch cmd {
		case uint32(macho.LoadCmdDylib), lcLazyLoadDylib, lcLoadWeakDylib, lcReexportDylib, lcLoadUpwardDylib:
			libs = append(libs, lcString(raw, f.ByteOrder.Uint32(raw[8:])))
		case lcLoadDylinker:
			rep.Interp = lcString(raw, f.ByteOrder.Uint32(raw[8:]))
		case lcBuildVersion:
			rep.OS = machoPlatformOS(f.ByteOrder.Uint32(raw[8:]))
		case lcCodeSignature:
			rep.Signature = readCodeSignature(raw, f.ByteOrder, r)
		}
	}
	rep.Needed = dedup(libs)
	rep.PIE = f.Flags&machoFlagPIE != 0
	rep.Stripped = true
	if f.Symtab != nil {
		for _, s := range f.Symtab.Syms {
			if s.Type&machoNTypeMask == machoNSect {
				rep.Stripped = false
				break
			}
		}
	}
	readBuildInfo(rep, r)
	return rep
}

// lcString returns the NUL-terminated string at off inside a load command.
func lcString(raw []byte, off uint32) string {
	if uint64(off) >= uint64(len(raw)) {
		return ""
	}
	s := raw[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s)
}

func readUniversal(r io.ReaderAt) (*Report, error) {
	ff, err := macho.NewFatFile(r)
	if err != nil {
		if errors.Is(err, macho.ErrNotFat) {
			return nil, errors.New("not a universal Mach-O (0xcafebabe is also a Java class file)")
		}
		return nil, err
	}
	rep := &Report{Format: "macho-universal"}
	for i, a := range ff.Arches {
		s := machoReport(a.File, io.NewSectionReader(r, int64(a.Offset), int64(a.Size)))
		s.Static = s.StaticError() == nil
		rep.Slices = append(rep.Slices, s)
		if i == 0 {
			rep.OS, rep.GoVersion, rep.Main = s.OS, s.GoVersion, s.Main
		} else if rep.OS != s.OS {
			rep.OS = ""
		}
	}
	return rep, nil
}
