package bindiff

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"io"

	"github.com/kiln-build/kiln/internal/binfmt"
)

// ErrNotExecutable is wrapped by the error for an input that is not a
// readable ELF, PE or Mach-O file. It is binfmt's, the same error verify
// wraps.
var ErrNotExecutable = binfmt.ErrNotExecutable

// A span is a named byte range of a file: a section, or a header.
type span struct {
	Name      string
	Off, Size int64
}

// layout is how a file is divided: its format and named spans.
type layout struct {
	Format string // "elf", "pe", "macho", "macho-universal"
	Spans  []span
}

// at names the span holding file offset off, or "" when none does.
func (l layout) at(off int64) string {
	for _, s := range l.Spans {
		if s.Off <= off && off-s.Off < s.Size {
			return s.Name
		}
	}
	return ""
}

// readLayout parses r with the standard debug/* packages. They are not
// hardened against hostile input: a panic is turned into an error.
func readLayout(r io.ReaderAt, size int64) (l layout, err error) {
	var head [4]byte
	if n, _ := r.ReadAt(head[:], 0); n < len(head) {
		return layout{}, fmt.Errorf("%w: file too short (%d bytes)", ErrNotExecutable, n)
	}
	defer func() {
		if p := recover(); p != nil {
			l, err = layout{}, fmt.Errorf("%w: corrupt %s file (parser panicked: %v)", ErrNotExecutable, l.Format, p)
		}
	}()
	l.Format = string(binfmt.Sniff(head[:]))
	switch binfmt.Format(l.Format) {
	case binfmt.ELF:
		l.Spans, err = elfSpans(r)
	case binfmt.PE:
		l.Spans, err = peSpans(r)
	case binfmt.Universal:
		l.Spans, err = fatSpans(r, size)
	case binfmt.MachO:
		l.Spans, err = machoSpans(r, "")
	default:
		return layout{}, fmt.Errorf("%w: unknown format (magic % x)", ErrNotExecutable, head)
	}
	if err != nil {
		return layout{}, fmt.Errorf("%w: corrupt %s file: %v", ErrNotExecutable, l.Format, err)
	}
	return l, nil
}

func elfSpans(r io.ReaderAt) ([]span, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, err
	}
	ehsize, phent, shent := int64(52), int64(32), int64(40)
	if f.Class == elf.ELFCLASS64 {
		ehsize, phent, shent = 64, 56, 64
	}
	spans := []span{{"ELF header", 0, ehsize}}
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOBITS && s.Type != elf.SHT_NULL && s.Size > 0 {
			spans = append(spans, span{s.Name, int64(s.Offset), int64(s.Size)})
		}
	}
	// The header tables, from the raw header (debug/elf does not keep
	// their offsets).
	var raw [64]byte
	if _, err := r.ReadAt(raw[:ehsize], 0); err == nil {
		bo := f.ByteOrder
		var phoff, shoff int64
		var phnum, shnum int64
		if f.Class == elf.ELFCLASS64 {
			phoff, shoff = int64(bo.Uint64(raw[32:])), int64(bo.Uint64(raw[40:]))
			phnum, shnum = int64(bo.Uint16(raw[56:])), int64(bo.Uint16(raw[60:]))
		} else {
			phoff, shoff = int64(bo.Uint32(raw[28:])), int64(bo.Uint32(raw[32:]))
			phnum, shnum = int64(bo.Uint16(raw[44:])), int64(bo.Uint16(raw[48:]))
		}
		spans = append(spans, span{"program headers", phoff, phnum * phent}, span{"section headers", shoff, shnum * shent})
	}
	return spans, nil
}

func peSpans(r io.ReaderAt) ([]span, error) {
	f, err := pe.NewFile(r)
	if err != nil {
		return nil, err
	}
	var spans []span
	first := int64(-1)
	for _, s := range f.Sections {
		if s.Size == 0 {
			continue
		}
		off := int64(s.Offset)
		spans = append(spans, span{s.Name, off, int64(s.Size)})
		if first < 0 || off < first {
			first = off
		}
	}
	if first > 0 {
		spans = append(spans, span{"PE headers", 0, first})
	}
	return spans, nil
}

// machoSpans lists a Mach-O file's sections, its load commands, and the
// segments (such as __LINKEDIT) outside any section; prefix names the
// slice of a universal file.
func machoSpans(r io.ReaderAt, prefix string) ([]span, error) {
	f, err := macho.NewFile(r)
	if err != nil {
		return nil, err
	}
	hdr := int64(28)
	if f.Magic == macho.Magic64 {
		hdr = 32
	}
	spans := []span{{prefix + "Mach-O header", 0, hdr}, {prefix + "load commands", hdr, int64(f.Cmdsz)}}
	for _, s := range f.Sections {
		if s.Offset != 0 && s.Size > 0 {
			spans = append(spans, span{prefix + s.Seg + "," + s.Name, int64(s.Offset), int64(s.Size)})
		}
	}
	// Segments last: at returns the first match, so sections win.
	for _, l := range f.Loads {
		if s, ok := l.(*macho.Segment); ok && s.Filesz > 0 {
			spans = append(spans, span{prefix + s.Name, int64(s.Offset), int64(s.Filesz)})
		}
	}
	return spans, nil
}

func fatSpans(r io.ReaderAt, size int64) ([]span, error) {
	ff, err := macho.NewFatFile(r)
	if err != nil {
		return nil, err
	}
	spans := []span{{"fat header", 0, 8 + 20*int64(len(ff.Arches))}}
	for _, a := range ff.Arches {
		off, sz := int64(a.Offset), int64(a.Size)
		if off < 0 || sz < 0 || off > size {
			return nil, fmt.Errorf("slice outside the file")
		}
		inner, err := machoSpans(io.NewSectionReader(r, off, sz), a.Cpu.String()+" ")
		if err != nil {
			return nil, err
		}
		for _, s := range inner {
			s.Off += off
			spans = append(spans, s)
		}
	}
	return spans, nil
}
