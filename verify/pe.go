package verify

import (
	"debug/pe"
	"fmt"
	"io"
	"strings"
)

// IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE: the image can be relocated (ASLR).
const peDynamicBase = 0x40

func peArch(m uint16) string {
	switch m {
	case pe.IMAGE_FILE_MACHINE_AMD64:
		return "amd64"
	case pe.IMAGE_FILE_MACHINE_I386:
		return "386"
	case pe.IMAGE_FILE_MACHINE_ARM64:
		return "arm64"
	case pe.IMAGE_FILE_MACHINE_ARMNT, pe.IMAGE_FILE_MACHINE_ARM:
		return "arm"
	case pe.IMAGE_FILE_MACHINE_RISCV64:
		return "riscv64"
	case pe.IMAGE_FILE_MACHINE_LOONGARCH64:
		return "loong64"
	}
	return fmt.Sprintf("unknown(%#x)", m)
}

func readPE(r io.ReaderAt) (*Report, error) {
	f, err := pe.NewFile(r)
	if err != nil {
		return nil, err
	}
	rep := &Report{Format: "pe", OS: "windows", Arch: peArch(f.Machine)}
	// ImportedLibraries returns nil in debug/pe; the DLLs are in the
	// "symbol:dll" pairs of ImportedSymbols.
	syms, err := f.ImportedSymbols()
	if err != nil {
		return nil, fmt.Errorf("import table: %w", err)
	}
	var dlls []string
	for _, s := range syms {
		if i := strings.LastIndexByte(s, ':'); i >= 0 {
			dlls = append(dlls, s[i+1:])
		}
	}
	rep.Needed = dedup(dlls)
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		rep.PIE = oh.DllCharacteristics&peDynamicBase != 0
	case *pe.OptionalHeader32:
		rep.PIE = oh.DllCharacteristics&peDynamicBase != 0
	}
	rep.Stripped = f.NumberOfSymbols == 0
	rep.Resources = readResources(f)
	readBuildInfo(rep, r)
	return rep, nil
}
