package winres

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrHasResources is wrapped by the error for an executable that already
// has resources, other than the ones Patch would write.
var ErrHasResources = errors.New("the executable already has resources (from a .syso file linked into it?) and kiln does not merge resources: remove the .syso file, or turn kiln's Windows resources off")

// ErrSigned is wrapped by the error for an Authenticode-signed executable:
// appending a section would break the signature.
var ErrSigned = errors.New("the executable is Authenticode-signed: add resources before signing")

// PEError reports an input that is not a PE image Patch can extend.
type PEError struct{ Reason string }

func (e *PEError) Error() string { return "not a PE image kiln can patch: " + e.Reason }

const (
	sectionHeaderSize = 40
	dirResource       = 2
	dirSecurity       = 4
	// IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ
	rsrcCharacteristics = 0x40000040
)

// peLayout is where the fields Patch changes are in a PE file.
type peLayout struct {
	numSections          int    // offset of NumberOfSections
	initData             int    // offset of SizeOfInitializedData
	sizeOfImage          int    // offset of SizeOfImage
	checksum             int    // offset of CheckSum
	dataDirs             int    // offset of the data directory
	sections             int    // offset of the section table
	n                    int    // number of sections
	sectAlign, fileAlign uint32 // SectionAlignment, FileAlignment
}

// parsePE finds the fields of exe that Patch changes, checking every
// offset against the file.
func parsePE(exe []byte) (peLayout, error) {
	var l peLayout
	le := binary.LittleEndian
	bad := func(format string, args ...any) (peLayout, error) {
		return l, &PEError{fmt.Sprintf(format, args...)}
	}
	if len(exe) < 0x40 || !bytes.HasPrefix(exe, []byte("MZ")) {
		return bad("no MZ header")
	}
	pe := int(le.Uint32(exe[0x3c:]))
	if pe < 0x40 || pe > len(exe)-24 || !bytes.Equal(exe[pe:pe+4], []byte("PE\x00\x00")) {
		return bad("no PE signature")
	}
	coff := pe + 4
	l.numSections, l.n = coff+2, int(le.Uint16(exe[coff+2:]))
	optSize := int(le.Uint16(exe[coff+16:]))
	opt := coff + 20
	if opt+optSize > len(exe) || optSize < 2 {
		return bad("optional header outside the file")
	}
	var countAt int
	switch le.Uint16(exe[opt:]) {
	case 0x10b: // PE32
		countAt, l.dataDirs = opt+92, opt+96
	case 0x20b: // PE32+
		countAt, l.dataDirs = opt+108, opt+112
	default:
		return bad("optional header magic %#x", le.Uint16(exe[opt:]))
	}
	if countAt+4 > opt+optSize || le.Uint32(exe[countAt:]) <= dirSecurity || l.dataDirs+8*(dirSecurity+1) > opt+optSize {
		return bad("no room for the resource and security data directories")
	}
	l.initData, l.sizeOfImage, l.checksum = opt+8, opt+56, opt+64
	l.sectAlign, l.fileAlign = le.Uint32(exe[opt+32:]), le.Uint32(exe[opt+36:])
	if !pow2(l.sectAlign) || !pow2(l.fileAlign) || l.fileAlign < 512 || l.fileAlign > 64<<10 || l.sectAlign < l.fileAlign {
		return bad("section alignment %#x, file alignment %#x", l.sectAlign, l.fileAlign)
	}
	l.sections = opt + optSize
	headers := uint64(le.Uint32(exe[opt+60:]))
	end := uint64(l.sections) + uint64(l.n+1)*sectionHeaderSize
	if end > uint64(len(exe)) || end > headers {
		return bad("no room for another section header before SizeOfHeaders (%#x)", headers)
	}
	for i := range l.n {
		s := exe[l.sections+i*sectionHeaderSize:]
		if raw, ptr := le.Uint32(s[16:]), uint64(le.Uint32(s[20:])); raw > 0 && ptr < end {
			return bad("section %d's data (at %#x) leaves no room for another section header", i, ptr)
		}
	}
	if !allZero(exe[end-sectionHeaderSize : end]) {
		return bad("the bytes after the section table are in use")
	}
	return l, nil
}

// appendResources returns exe with rs in a new .rsrc section.
func appendResources(exe []byte, rs []resource) ([]byte, error) {
	l, err := parsePE(exe)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if sec := exe[l.dataDirs+8*dirSecurity:]; le.Uint32(sec) != 0 || le.Uint32(sec[4:]) != 0 {
		return nil, ErrSigned
	}
	if res := exe[l.dataDirs+8*dirResource:]; le.Uint32(res) != 0 {
		if l.holds(exe, rs, le.Uint32(res), le.Uint32(res[4:])) {
			return exe, nil
		}
		return nil, ErrHasResources
	}
	var vend uint64
	for i := range l.n {
		s := exe[l.sections+i*sectionHeaderSize:]
		size := le.Uint32(s[8:])
		if size == 0 {
			size = le.Uint32(s[16:])
		}
		vend = max(vend, uint64(le.Uint32(s[12:]))+uint64(size))
	}
	rva := alignUp(vend, l.sectAlign)
	ptr := alignUp(uint64(len(exe)), l.fileAlign)
	if rva > 1<<31 || ptr > 1<<31 {
		return nil, &PEError{"too large"}
	}
	data := section(rs, uint32(rva))
	raw := alignUp(uint64(len(data)), l.fileAlign)

	out := make([]byte, ptr+raw)
	copy(out, exe)
	copy(out[ptr:], data)
	h := out[l.sections+l.n*sectionHeaderSize:]
	copy(h, ".rsrc\x00\x00\x00")
	le.PutUint32(h[8:], uint32(len(data)))
	le.PutUint32(h[12:], uint32(rva))
	le.PutUint32(h[16:], uint32(raw))
	le.PutUint32(h[20:], uint32(ptr))
	le.PutUint32(h[36:], rsrcCharacteristics)
	le.PutUint16(out[l.numSections:], uint16(l.n+1))
	le.PutUint32(out[l.initData:], le.Uint32(out[l.initData:])+uint32(raw))
	le.PutUint32(out[l.sizeOfImage:], uint32(alignUp(rva+uint64(len(data)), l.sectAlign)))
	le.PutUint32(out[l.dataDirs+8*dirResource:], uint32(rva))
	le.PutUint32(out[l.dataDirs+8*dirResource+4:], uint32(len(data)))
	if le.Uint32(exe[l.checksum:]) != 0 {
		le.PutUint32(out[l.checksum:], checksum(out, l.checksum))
	}
	return out, nil
}

// holds reports whether exe's resources, at rva with size bytes, are the
// last section and exactly the section Patch would write for rs: then
// exe is already patched so.
func (l peLayout) holds(exe []byte, rs []resource, rva, size uint32) bool {
	if l.n == 0 {
		return false
	}
	le := binary.LittleEndian
	s := exe[l.sections+(l.n-1)*sectionHeaderSize:]
	ptr, raw := uint64(le.Uint32(s[20:])), uint64(le.Uint32(s[16:]))
	if le.Uint32(s[12:]) != rva || ptr+raw != uint64(len(exe)) {
		return false
	}
	want := section(rs, rva)
	return uint64(len(want)) == uint64(size) && uint64(len(want)) <= raw && bytes.Equal(exe[ptr:ptr+uint64(len(want))], want)
}

// checksum computes the PE image checksum of exe whose CheckSum field is
// at offset at (that field counts as zero): the folded 16-bit sum that
// Windows' CheckSumMappedFile computes, plus the file's length.
func checksum(exe []byte, at int) uint32 {
	var sum uint64
	for i := 0; i < len(exe); i += 2 {
		if i == at || i == at+2 {
			continue
		}
		w := uint64(exe[i])
		if i+1 < len(exe) {
			w |= uint64(exe[i+1]) << 8
		}
		sum += w
		sum = (sum & 0xffff) + sum>>16
	}
	sum = (sum & 0xffff) + sum>>16
	return uint32(sum) + uint32(len(exe))
}

func alignUp(n uint64, a uint32) uint64 { return (n + uint64(a) - 1) &^ (uint64(a) - 1) }

func pow2(n uint32) bool { return n != 0 && n&(n-1) == 0 }

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
