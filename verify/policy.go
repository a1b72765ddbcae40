package verify

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// LinkageError reports a binary that is not static under its OS's policy.
type LinkageError struct {
	// Path is the inspected file (empty after Read).
	Path string
	// Format is the Report's format; Arch names the slice of a universal
	// Mach-O.
	Format, Arch string
	// Interp is the ELF program interpreter, when there is one.
	Interp string
	// Needed lists the offending libraries: every DT_NEEDED of an ELF file,
	// the non-system DLLs of a PE file, the non-system dylibs of a Mach-O.
	Needed []string
}

func (e *LinkageError) Error() string {
	var parts []string
	if e.Interp != "" {
		parts = append(parts, "interpreter "+e.Interp)
	}
	if len(e.Needed) > 0 {
		switch e.Format {
		case "pe":
			parts = append(parts, "imports non-system DLLs "+strings.Join(e.Needed, ", "))
		case "macho", "macho-universal":
			parts = append(parts, "loads non-system dylibs "+strings.Join(e.Needed, ", "))
		default:
			parts = append(parts, "needs "+strings.Join(e.Needed, ", "))
		}
	}
	what := "not static"
	if e.Arch != "" {
		what = e.Arch + " slice not static"
	}
	msg := what + ": " + strings.Join(parts, ", ")
	if e.Path != "" {
		msg = e.Path + ": " + msg
	}
	return msg
}

// StaticError returns nil when the binary is static under the policy of its
// format (see the package documentation), else a *LinkageError; for a
// universal Mach-O with several offending slices, a *multierror.Error of
// them.
func (r *Report) StaticError() error {
	switch r.Format {
	case "elf":
		if r.Interp == "" && len(r.Needed) == 0 {
			return nil
		}
		return &LinkageError{Path: r.Path, Format: r.Format, Interp: r.Interp, Needed: r.Needed}
	case "pe":
		return r.foreign(isSystemDLL)
	case "macho":
		return r.foreign(isSystemDylib)
	case "macho-universal":
		var errs *multierror.Error
		for _, s := range r.Slices {
			if err := s.StaticError(); err != nil {
				if le, ok := err.(*LinkageError); ok {
					le.Arch = s.Arch
				}
				errs = multierror.Append(errs, err)
			}
		}
		switch {
		case errs == nil:
			return nil
		case len(errs.Errors) == 1:
			return errs.Errors[0]
		}
		return errs
	}
	return fmt.Errorf("%s: unknown format %q", r.Path, r.Format)
}

// foreign returns a LinkageError for the libraries that fail system.
func (r *Report) foreign(system func(string) bool) error {
	var bad []string
	for _, n := range r.Needed {
		if !system(n) {
			bad = append(bad, n)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &LinkageError{Path: r.Path, Format: r.Format, Needed: bad}
}

// systemDLLs are Windows system DLLs present on every supported Windows
// installation, lower case, without ".dll".
var systemDLLs = map[string]bool{
	"kernel32": true, "ntdll": true, "advapi32": true, "ws2_32": true, "user32": true,
	"winmm": true, "bcrypt": true, "bcryptprimitives": true, "crypt32": true, "iphlpapi": true,
	"netapi32": true, "userenv": true, "secur32": true, "shell32": true, "ole32": true,
	"oleaut32": true, "dnsapi": true, "powrprof": true, "mswsock": true, "gdi32": true,
	"comctl32": true, "comdlg32": true, "version": true, "psapi": true, "dbghelp": true,
	"setupapi": true, "shlwapi": true, "wintrust": true, "ncrypt": true, "rpcrt4": true,
	"sechost": true, "msvcrt": true, "ucrtbase": true, "wtsapi32": true, "winhttp": true,
	"wininet": true, "fwpuclnt": true, "authz": true, "kernelbase": true, "ntdsapi": true,
	"normaliz": true, "imm32": true, "uxtheme": true, "dwmapi": true, "d3d11": true,
	"dxgi": true, "synchronization": true, "mpr": true, "credui": true, "wldap32": true,
}

// isSystemDLL reports whether name (any case, with or without ".dll") is a
// Windows system DLL or an API set (api-ms-win-*, ext-ms-win-*).
func isSystemDLL(name string) bool {
	n := strings.ToLower(name)
	if strings.HasPrefix(n, "api-ms-win-") || strings.HasPrefix(n, "ext-ms-win-") {
		return true
	}
	n = strings.TrimSuffix(n, ".dll")
	return systemDLLs[n]
}

// isSystemDylib reports whether path is a dylib shipped with the OS.
func isSystemDylib(p string) bool {
	p = path.Clean(p)
	return strings.HasPrefix(p, "/usr/lib/") || strings.HasPrefix(p, "/System/")
}
