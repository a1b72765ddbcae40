package winres

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// Resource types.
const (
	rtVersion  = 16
	rtManifest = 24
)

// resource is one resource: type, integer name and language.
type resource struct {
	typ, id, lang uint32
	data          []byte
}

// Sizes in the resource section.
const (
	dirSize       = 16 // IMAGE_RESOURCE_DIRECTORY
	dirEntrySize  = 8  // IMAGE_RESOURCE_DIRECTORY_ENTRY
	dataEntrySize = 16 // IMAGE_RESOURCE_DATA_ENTRY
	subdirFlag    = 0x80000000
)

// section lays out the resource section of rs for a section at virtual
// address rva: the three-level directory (type, name, language; integer
// IDs only, in ascending order), then the data entries, then the data,
// each 8-byte aligned. Every timestamp and version field is zero.
//
// rs must be sorted by type and unique by type; each type has one name
// and one language, as Options makes them.
func section(rs []resource, rva uint32) []byte {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b resource) int { return cmp.Compare(a.typ, b.typ) })
	n := uint32(len(rs))
	root := uint32(0)
	nameDirs := root + dirSize + n*dirEntrySize
	one := uint32(dirSize + dirEntrySize) // a directory with one entry
	langDirs := nameDirs + n*one
	entries := langDirs + n*one
	data := align8(entries + n*dataEntrySize)

	le := binary.LittleEndian
	b := make([]byte, data)
	dir := func(at, count uint32) uint32 {
		le.PutUint16(b[at+14:], uint16(count)) // NumberOfIdEntries
		return at + dirSize
	}
	entry := func(at, id, target uint32) {
		le.PutUint32(b[at:], id)
		le.PutUint32(b[at+4:], target)
	}
	e := dir(root, n)
	for i, r := range rs {
		i := uint32(i)
		entry(e+i*dirEntrySize, r.typ, subdirFlag|(nameDirs+i*one))
		entry(dir(nameDirs+i*one, 1), r.id, subdirFlag|(langDirs+i*one))
		entry(dir(langDirs+i*one, 1), r.lang, entries+i*dataEntrySize)
		at := uint32(len(b))
		de := b[entries+i*dataEntrySize:]
		le.PutUint32(de, rva+at) // OffsetToData is an RVA
		le.PutUint32(de[4:], uint32(len(r.data)))
		b = append(b, r.data...)
		b = append(b, make([]byte, align8(uint32(len(b)))-uint32(len(b)))...)
	}
	return b
}

func align8(n uint32) uint32 { return (n + 7) &^ 7 }
