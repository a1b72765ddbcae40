package testtool

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// RemoveCodeSignature returns a copy of a thin 64-bit little-endian Mach-O
// without its LC_CODE_SIGNATURE load command, as `codesign
// --remove-signature` or a careless rewriting tool leaves it: the later
// commands move up and the header's counts shrink.
func RemoveCodeSignature(data []byte) ([]byte, error) {
	const lcCodeSignature, hdr = 0x1d, 32
	le := binary.LittleEndian
	if len(data) < hdr || le.Uint32(data) != 0xfeedfacf {
		return nil, errors.New("not a 64-bit little-endian Mach-O")
	}
	out := bytes.Clone(data)
	ncmds, sizeofcmds := le.Uint32(out[16:]), le.Uint32(out[20:])
	end := uint64(hdr) + uint64(sizeofcmds)
	if end > uint64(len(out)) {
		return nil, errors.New("load commands past the end of the file")
	}
	off := uint64(hdr)
	for range ncmds {
		if off+8 > end {
			break
		}
		cmd, size := le.Uint32(out[off:]), uint64(le.Uint32(out[off+4:]))
		if size < 8 || off+size > end {
			break
		}
		if cmd == lcCodeSignature {
			copy(out[off:end], out[off+size:end])
			clear(out[end-size : end])
			le.PutUint32(out[16:], ncmds-1)
			le.PutUint32(out[20:], sizeofcmds-uint32(size))
			return out, nil
		}
		off += size
	}
	return nil, errors.New("no LC_CODE_SIGNATURE")
}
