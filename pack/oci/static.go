package oci

import (
	"fmt"

	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/verify"
)

// verifyStatic is the default StaticCheck: the file must be a static ELF
// executable for p's architecture.
func verifyStatic(path string, p matrix.Platform) error {
	rep, err := verify.ReadFile(path)
	if err != nil {
		return err
	}
	if rep.Format != "elf" || (rep.OS != "" && rep.OS != p.OS) || rep.Arch != p.Arch {
		return fmt.Errorf("is a %s/%s %s executable, not %s/%s", rep.OS, rep.Arch, rep.Format, p.OS, p.Arch)
	}
	return rep.StaticError()
}
