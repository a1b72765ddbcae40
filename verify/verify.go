// Package verify inspects built binaries in process and checks them against
// kiln's policies: the file's format, OS and architecture, how it is linked,
// and the Go build information it carries.
//
// Read and ReadFile turn an ELF, PE, Mach-O or universal Mach-O file into a
// Report using only the standard debug/elf, debug/pe, debug/macho and
// debug/buildinfo packages: no external tool is run. The parsers survive
// hostile input: a truncated, corrupt or non-binary file is an error that
// says "not an executable: ...", never a panic.
//
// Report.StaticError applies the per-OS definition of "static":
//
//   - ELF: no PT_INTERP and no DT_NEEDED. A static-pie (ET_DYN with DF_1_PIE
//     and no interpreter) is static; -buildmode=pie with an interpreter is
//     not, although ldd calls it "statically linked".
//   - PE: imports only from Windows system DLLs (kernel32.dll, ntdll.dll,
//     api-ms-win-*, ...).
//   - Mach-O: loads only system dylibs (/usr/lib/..., /System/...), in every
//     slice of a universal binary.
//
// Check compares a Report with what the artifact claims to be (Expect) and
// returns every disagreement at once, including a darwin/arm64 binary
// whose code signature is missing or no longer matches it
// (SignatureError) and, when asked, a PE file's VERSIONINFO and manifest
// (VersionInfoError); CheckSlices checks a universal binary slice by
// slice, and CheckJoined against the manifest entries of the builds it
// joins. Report.SignatureText and Report.ResourcesText are the cells of
// kiln's verify table.
//
// Entry checks a binary entry of a kiln manifest (package artifact)
// against its file: confined to the output directory, unchanged since it
// was built (sha256), and what the entry claims (ReadFile, Check);
// JoinedEntry does so for a universal binary (UniversalEntry with the
// builds the manifest records for it), and Passed says whether the verify
// result an entry records lets it ship.
//
// Smoke runs a linux binary in an empty root with bubblewrap, natively or
// through qemu-ARCH-static, to show that it loads and its Go runtime
// reaches main; RunTools names the commands (and Debian packages) that
// needs. Run is one strict run with given arguments and exit code.
// Wine.Smoke runs a windows/amd64 binary the same way under wine64, in a
// wine prefix kiln owns; PrepareWine sets one up for a verify stage.
// SmokeResult.Record is what the manifest (package artifact) records of a
// run, with its version check, and Report.Record of an inspection;
// VersionWarning says what that check found wrong. Result puts these
// together into one binary entry's verify result: its inspection, its run
// and version check as the caller's settings decide, every problem.
package verify

import (
	"bytes"
	"fmt"
	"io"

	"github.com/kiln-build/kiln/internal/binfmt"
	"github.com/kiln-build/kiln/internal/safefile"
)

// Report is what inspecting one binary found. Fields that a format does not
// carry are left empty.
type Report struct {
	// Path is the file name given to ReadFile; empty after Read.
	Path string `json:"path,omitempty"`
	// Format is "elf", "pe", "macho" or "macho-universal".
	Format string `json:"format"`
	// OS and Arch are GOOS/GOARCH-style names derived from the file's
	// headers (ELF machine, class, byte order, OSABI and notes; PE machine;
	// Mach-O CPU type and build-version platform). A universal Mach-O has
	// the OS its slices agree on and no Arch: see Slices.
	OS   string `json:"os,omitempty"`
	Arch string `json:"arch,omitempty"`
	// ARMFloat is "hard" or "soft" for 32-bit ARM ELF files whose header
	// flags say which float ABI they use.
	ARMFloat string `json:"armFloat,omitempty"`
	// Variant is the architecture variant recorded in the build info: the
	// value of GOARM, GOAMD64, GO386, GOMIPS, GOPPC64, GOARM64, ... for Arch.
	Variant string `json:"variant,omitempty"`
	// Interp is the ELF program interpreter (PT_INTERP) or the Mach-O
	// dynamic linker (LC_LOAD_DYLINKER).
	Interp string `json:"interp,omitempty"`
	// Needed lists the shared libraries the file loads: ELF DT_NEEDED,
	// the DLLs a PE imports from, the dylibs a Mach-O loads (including
	// weak, re-exported and upward ones), in file order without duplicates.
	Needed []string `json:"needed,omitempty"`
	// Static is true when StaticError returns nil.
	Static bool `json:"static"`
	// PIE is true for position-independent executables: ELF ET_DYN with
	// DF_1_PIE or an interpreter, PE with a dynamic base, Mach-O MH_PIE.
	PIE bool `json:"pie"`
	// Stripped is true when the file has no symbol table: ELF without
	// .symtab, PE without COFF symbols, Mach-O without defined symbols.
	Stripped bool `json:"stripped"`
	// GoVersion is the toolchain recorded in the Go build info ("go1.26.8"),
	// empty when the file carries none.
	GoVersion string `json:"goVersion,omitempty"`
	// Main is the main package path from the build info.
	Main string `json:"main,omitempty"`
	// Settings are the build info's build settings: GOOS, GOARCH,
	// CGO_ENABLED, -tags, -buildmode, GOARM, GOAMD64, ...
	Settings map[string]string `json:"settings,omitempty"`
	// Slices are the per-architecture reports of a universal Mach-O.
	Slices []*Report `json:"slices,omitempty"`
	// Signature is a Mach-O's code signature (LC_CODE_SIGNATURE), nil
	// when it has none; see SignatureError.
	Signature *CodeSignature `json:"signature,omitempty"`
	// Resources are a PE file's VERSIONINFO and manifest, nil when it has
	// no resource section; see VersionInfoError.
	Resources *Resources `json:"resources,omitempty"`
}

// ErrNotExecutable is wrapped by every error that means the input is not a
// readable executable: unknown format, truncated or corrupt headers. It is
// binfmt's, the same error evidence/bindiff wraps.
var ErrNotExecutable = binfmt.ErrNotExecutable

// MaxSize is the largest file ReadFile inspects, 2 GiB: far above any Go
// binary, small enough that a mistaken path (a disk image, a sparse file)
// is refused rather than parsed.
const MaxSize int64 = 2 << 30

// ReadFile inspects the named file. It opens it with safefile.Open and
// MaxSize: a directory, device, FIFO or /proc file is a
// *safefile.NotRegularError and a file over MaxSize a
// *safefile.TooLargeError, refused without reading (and without blocking).
func ReadFile(name string) (*Report, error) {
	f, _, err := safefile.Open(name, MaxSize)
	if err != nil {
		// Every safefile.Open error names the path.
		return nil, fmt.Errorf("inspect: %w", err)
	}
	defer f.Close()
	r, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", name, err)
	}
	r.Path = name
	for _, s := range r.Slices {
		s.Path = name
	}
	return r, nil
}

// Read inspects the executable readable from r. The debug/* parsers are
// not hardened against hostile input; Read recovers from their panics and
// reports the input as corrupt.
func Read(r io.ReaderAt) (rep *Report, err error) {
	var head [16]byte
	n, rerr := r.ReadAt(head[:], 0)
	if n < len(head) && rerr != nil && rerr != io.EOF {
		return nil, fmt.Errorf("read header: %w", rerr)
	}
	kind := sniff(head[:n])
	if kind == "" {
		return nil, fmt.Errorf("%w: %s", ErrNotExecutable, describeUnknown(head[:n]))
	}
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, fmt.Errorf("%w: corrupt %s file (parser panicked: %v)", ErrNotExecutable, formatName(kind), p)
		}
	}()
	switch kind {
	case "elf":
		rep, err = readELF(r)
	case "pe":
		rep, err = readPE(r)
	case "macho":
		rep, err = readMachO(r)
	case "macho-universal":
		rep, err = readUniversal(r)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: corrupt %s file: %v", ErrNotExecutable, formatName(kind), err)
	}
	rep.Static = rep.StaticError() == nil
	return rep, nil
}

func formatName(kind string) string {
	switch kind {
	case "elf":
		return "ELF"
	case "pe":
		return "PE"
	case "macho":
		return "Mach-O"
	case "macho-universal":
		return "universal Mach-O"
	}
	return kind
}

// sniff names the format from the magic bytes (binfmt.Sniff), or returns "".
func sniff(b []byte) string { return string(binfmt.Sniff(b)) }

// describeUnknown says what an unrecognized input looks like.
func describeUnknown(b []byte) string {
	switch {
	case len(b) == 0:
		return "empty file"
	case len(b) < 4:
		return fmt.Sprintf("file too short (%d bytes)", len(b))
	case bytes.HasPrefix(b, []byte("#!")):
		return "script, not a binary"
	case isText(b):
		return fmt.Sprintf("text file (starts with %q)", b)
	}
	return fmt.Sprintf("unknown format (magic % x)", b[:4])
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
