// Package universal joins thin Mach-O files of different architectures
// into one universal ("fat") Mach-O, as Apple's `lipo -create` does, in Go:
// macOS runs the slice that fits the machine, so one darwin binary serves
// Intel and Apple silicon Macs.
//
// The output is the classic fat format, byte for byte what llvm-lipo
// writes for the same slices:
//
//   - a big-endian fat_header (FAT_MAGIC 0xcafebabe, 32-bit offsets, so at
//     most 4 GiB in all) and one fat_arch per slice;
//   - slices ordered as lipo orders them: by alignment, arm64 last, ties
//     by CPU type and subtype, whatever order they were given in;
//   - each slice at an offset aligned to its page size: 2^12 for x86 and
//     PowerPC, 2^14 for ARM, else the smallest alignment of its segments'
//     addresses (at least 2^2, at most 2^15); zero bytes in between.
//
// The slices' bytes are copied unchanged, so their code signatures (Go's
// ad-hoc signature of darwin/arm64) stay valid. The output depends only on
// the slices: the same inputs give the same bytes.
//
// Binary joins a binary's darwin/amd64 and darwin/arm64 builds as a kiln
// manifest (package artifact) records them: the bytes joined are the
// bytes recorded, and the universal entry's Key identifies the builds it
// joins, so an unchanged join is not done again; JoinAll joins the
// binaries of an output directory and records them in its manifest.
package universal

import (
	"bytes"
	"cmp"
	"debug/macho"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/bits"
	"os"
	"slices"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/internal/binfmt"
)

const (
	fatMagic      = 0xcafebabe
	fatHeaderSize = 8
	fatArchSize   = 20
	// maxAlign is lipo's largest slice alignment (2^15).
	maxAlign = 15
	// MaxSize is the largest universal file the classic format can
	// describe: offsets and sizes are 32-bit.
	MaxSize = 1<<32 - 1
)

// Slice is one thin Mach-O placed in a universal file.
type Slice struct {
	// CPU and SubCPU are the slice header's cputype and cpusubtype.
	CPU, SubCPU uint32
	// Arch is the GOARCH-style name of CPU ("amd64", "arm64"), or
	// "cpu(0x...)" for one Go does not know.
	Arch string
	// Align is the log2 of the alignment of the slice's offset.
	Align uint32
	// Offset and Size place the slice in the universal file.
	Offset, Size uint64
}

// InputError reports a slice that cannot go into a universal file.
type InputError struct {
	// Index is the slice's position in the arguments; Path its file, for
	// JoinFiles.
	Index int
	Path  string
	Err   error
}

func (e *InputError) Error() string {
	name := e.Path
	if name == "" {
		name = fmt.Sprintf("slice %d", e.Index+1)
	}
	return name + ": " + e.Err.Error()
}

func (e *InputError) Unwrap() error { return e.Err }

// ErrNotThin is wrapped by an InputError for an input that is not a thin
// Mach-O file (another format, or already universal).
var ErrNotThin = errors.New("not a thin Mach-O file")

// Join writes the universal file of the thin Mach-O files data to w and
// returns its layout. Every input must be a thin Mach-O of its own
// architecture (CPU type), all of one file type; every bad input is
// reported, as *InputError values in one error, before anything is written.
func Join(w io.Writer, data ...[]byte) ([]Slice, error) {
	layout, err := plan(data, nil)
	if err != nil {
		return nil, err
	}
	if err := write(w, data, layout); err != nil {
		return nil, err
	}
	return publicLayout(layout), nil
}

// write writes the universal file of data laid out as layout.
func write(w io.Writer, data [][]byte, layout []slice) error {
	var head bytes.Buffer
	be := binary.BigEndian
	head.Write(be.AppendUint32(be.AppendUint32(nil, fatMagic), uint32(len(layout))))
	for _, s := range layout {
		for _, v := range []uint32{s.CPU, s.SubCPU, uint32(s.Offset), uint32(s.Size), s.Align} {
			head.Write(be.AppendUint32(nil, v))
		}
	}
	if _, err := w.Write(head.Bytes()); err != nil {
		return err
	}
	at := uint64(head.Len())
	for _, s := range layout {
		if _, err := w.Write(make([]byte, s.Offset-at)); err != nil {
			return err
		}
		if _, err := w.Write(data[s.index]); err != nil {
			return err
		}
		at = s.Offset + s.Size
	}
	return nil
}

// JoinFiles writes the universal file of the thin Mach-O files at paths to
// out, atomically (a failed join leaves out untouched), with mode 0755.
func JoinFiles(out string, paths ...string) ([]Slice, error) {
	data := make([][]byte, len(paths))
	unread := make([]error, len(paths))
	for i, p := range paths {
		data[i], unread[i] = readFile(p)
	}
	layout, err := plan(data, unread)
	if err != nil {
		return nil, fmt.Errorf("universal binary %s: %w", out, withPaths(err, paths))
	}
	err = atomicfile.Write(out, 0o755, func(w io.Writer) error { return write(w, data, layout) })
	if err != nil {
		return nil, err
	}
	return publicLayout(layout), nil
}

// readFile reads a regular file of at most MaxSize bytes.
func readFile(p string) ([]byte, error) {
	f, err := os.Open(p)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("%s: %w", pe.Op, pe.Err) // InputError names the path
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
	}
	if fi.Size() > MaxSize {
		return nil, fmt.Errorf("%d bytes: larger than a universal file can hold", fi.Size())
	}
	return io.ReadAll(f)
}

// withPaths fills the Path of the InputErrors in err.
func withPaths(err error, paths []string) error {
	var me *multierror.Error
	if errors.As(err, &me) {
		for _, e := range me.Errors {
			var ie *InputError
			if errors.As(e, &ie) && ie.Index < len(paths) {
				ie.Path = paths[ie.Index]
			}
		}
	}
	return err
}

// slice is a Slice with the index of its input.
type slice struct {
	Slice
	index int
	ftype macho.Type
}

func publicLayout(l []slice) []Slice {
	out := make([]Slice, len(l))
	for i, s := range l {
		out[i] = s.Slice
	}
	return out
}

// Layout validates the thin Mach-O files data and returns where Join puts
// each, in file order, without writing anything.
func Layout(data ...[]byte) ([]Slice, error) {
	l, err := plan(data, nil)
	if err != nil {
		return nil, err
	}
	return publicLayout(l), nil
}

// plan validates the inputs and lays them out; unread[i], when set, is why
// input i could not be read.
func plan(data [][]byte, unread []error) ([]slice, error) {
	var errs *multierror.Error
	fail := func(i int, format string, args ...any) {
		errs = multierror.Append(errs, &InputError{Index: i, Err: fmt.Errorf(format, args...)})
	}
	if len(data) == 0 {
		return nil, errors.New("no slices to join")
	}
	var ss []slice
	for i, d := range data {
		if i < len(unread) && unread[i] != nil {
			errs = multierror.Append(errs, &InputError{Index: i, Err: unread[i]})
			continue
		}
		s, err := inspect(d)
		if err != nil {
			errs = multierror.Append(errs, &InputError{Index: i, Err: err})
			continue
		}
		s.index = i
		for _, o := range ss {
			if o.CPU == s.CPU {
				fail(i, "a second %s slice (slice %d is %s too): a universal binary holds one per architecture", s.Arch, o.index+1, o.Arch)
			}
			if o.ftype != s.ftype {
				fail(i, "Mach-O file type %v, but slice %d is %v", s.ftype, o.index+1, o.ftype)
			}
		}
		ss = append(ss, s)
	}
	if errs != nil {
		return nil, errs
	}
	slices.SortFunc(ss, func(a, b slice) int {
		// lipo puts arm64 last, the rest by alignment to save padding.
		if c := cmp.Compare(isARM64(a.CPU), isARM64(b.CPU)); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.Align, b.Align), cmp.Compare(a.CPU, b.CPU), cmp.Compare(a.SubCPU, b.SubCPU))
	})
	at := uint64(fatHeaderSize + fatArchSize*len(ss))
	for i := range ss {
		at = alignUp(at, ss[i].Align)
		ss[i].Offset = at
		at += ss[i].Size
	}
	if at > MaxSize {
		return nil, fmt.Errorf("the universal file would be %d bytes, over the classic format's 4 GiB", at)
	}
	return ss, nil
}

func isARM64(cpu uint32) int {
	if macho.Cpu(cpu) == macho.CpuArm64 {
		return 1
	}
	return 0
}

func alignUp(n uint64, log2 uint32) uint64 {
	a := uint64(1) << log2
	return (n + a - 1) &^ (a - 1)
}

// inspect reads a thin Mach-O header; debug/macho may panic on hostile
// input, which is an error here.
func inspect(d []byte) (s slice, err error) {
	if len(d) >= 4 && binary.BigEndian.Uint32(d) == fatMagic {
		return s, fmt.Errorf("%w: already a universal file", ErrNotThin)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: corrupt (%v)", ErrNotThin, p)
		}
	}()
	f, err := macho.NewFile(bytes.NewReader(d))
	if err != nil {
		return s, fmt.Errorf("%w: %v", ErrNotThin, err)
	}
	s.CPU, s.SubCPU, s.ftype = uint32(f.Cpu), f.SubCpu, f.Type
	s.Arch = arch(f.Cpu)
	s.Size = uint64(len(d))
	s.Align = alignment(f)
	return s, nil
}

// alignment is lipo's alignment of a slice (llvm-lipo's
// calculateAlignment).
func alignment(f *macho.File) uint32 {
	switch f.Cpu {
	case macho.Cpu386, macho.CpuAmd64, macho.CpuPpc, macho.CpuPpc64:
		return 12
	case macho.CpuArm, macho.CpuArm64, cpuArm6432:
		return 14
	}
	a := uint32(maxAlign)
	if f.Type == macho.TypeObj {
		// An object file: its largest section alignment.
		if len(f.Sections) > 0 {
			a = 2
			for _, s := range f.Sections {
				a = max(a, s.Align)
			}
		}
	} else {
		// Else the smallest alignment of a segment's address.
		for _, l := range f.Loads {
			if seg, ok := l.(*macho.Segment); ok && seg.Addr != 0 {
				a = min(a, uint32(bits.TrailingZeros64(seg.Addr)))
			}
		}
	}
	return min(max(a, 2), maxAlign)
}

// cpuArm6432 is CPU_TYPE_ARM64_32 (watchOS), which lipo aligns as ARM.
const cpuArm6432 macho.Cpu = 0x0200000c

func arch(c macho.Cpu) string {
	if a, ok := binfmt.MachOArch(c); ok {
		return a
	}
	return fmt.Sprintf("cpu(%#x)", uint32(c))
}
