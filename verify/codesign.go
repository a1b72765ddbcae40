package verify

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// A Mach-O code signature is a blob in __LINKEDIT that LC_CODE_SIGNATURE
// points at: an embedded-signature SuperBlob whose CodeDirectory holds one
// hash per page of the file up to the signature. macOS on Apple silicon
// refuses to run arm64 code without a valid one; Go's linker writes an
// ad-hoc signature (no certificate) for darwin/arm64, not for darwin/amd64.
const (
	lcCodeSignature     = 0x1d
	csMagicEmbedded     = 0xfade0cc0
	csMagicCodeDir      = 0xfade0c02
	csSlotCodeDirectory = 0
	csFlagAdhoc         = 0x2
	// maxSignature bounds the signature blob read: a 2 GiB file hashed
	// with SHA-384 in 4 KiB pages needs 24 MiB.
	maxSignature = 32 << 20
)

// CodeSignature is what the code signature of a Mach-O file (or slice)
// says, and whether it still matches the file.
type CodeSignature struct {
	// Identifier is the signed identifier (Go's linker uses the output
	// file's name).
	Identifier string `json:"identifier,omitempty"`
	// AdHoc is true for a signature without a certificate (CS_ADHOC), as
	// Go's linker and `codesign -s -` write.
	AdHoc bool `json:"adHoc"`
	// Hash names the page hash: "sha1", "sha256", "sha256-truncated",
	// "sha384".
	Hash string `json:"hash,omitempty"`
	// Pages is the number of page hashes checked.
	Pages int `json:"pages"`
	// Problem says why the signature does not hold for the file: malformed
	// data, or a page whose bytes changed after signing. Empty when every
	// page matches its hash.
	Problem string `json:"problem,omitempty"`
}

// readCodeSignature reads the signature that the LC_CODE_SIGNATURE command
// raw (in byte order bo) points at, in the file readable from r.
func readCodeSignature(raw []byte, bo binary.ByteOrder, r io.ReaderAt) *CodeSignature {
	if len(raw) < 16 {
		return &CodeSignature{Problem: "malformed LC_CODE_SIGNATURE command"}
	}
	off, size := int64(bo.Uint32(raw[8:])), int64(bo.Uint32(raw[12:]))
	if size > maxSignature {
		return &CodeSignature{Problem: fmt.Sprintf("signature of %d bytes is implausibly large", size)}
	}
	blob := make([]byte, size)
	if n, err := r.ReadAt(blob, off); n < len(blob) {
		return &CodeSignature{Problem: fmt.Sprintf("signature at %d (%d bytes) is beyond the end of the file: %v", off, size, err)}
	}
	return parseCodeSignature(blob, r, off)
}

// parseCodeSignature decodes an embedded signature blob and checks its
// page hashes against the file readable from code; sigOff is where the
// blob starts in that file (the signed range must end before it).
func parseCodeSignature(blob []byte, code io.ReaderAt, sigOff int64) *CodeSignature {
	cs := &CodeSignature{}
	be := binary.BigEndian
	bad := func(format string, args ...any) *CodeSignature {
		cs.Problem = "malformed signature: " + fmt.Sprintf(format, args...)
		return cs
	}
	if len(blob) < 12 || be.Uint32(blob) != csMagicEmbedded {
		return bad("no embedded-signature SuperBlob")
	}
	count := be.Uint32(blob[8:])
	if uint64(count) > uint64(len(blob)-12)/8 {
		return bad("%d blob indexes in %d bytes", count, len(blob))
	}
	var cd []byte
	for i := range count {
		idx := blob[12+8*i:]
		if be.Uint32(idx) != csSlotCodeDirectory {
			continue
		}
		off := uint64(be.Uint32(idx[4:]))
		if off+8 > uint64(len(blob)) {
			return bad("CodeDirectory offset %d outside the blob", off)
		}
		n := uint64(be.Uint32(blob[off+4:]))
		if n < 44 || off+n > uint64(len(blob)) {
			return bad("CodeDirectory of %d bytes at %d outside the blob", n, off)
		}
		cd = blob[off : off+n]
		break
	}
	if cd == nil {
		return bad("no CodeDirectory")
	}
	if be.Uint32(cd) != csMagicCodeDir {
		return bad("CodeDirectory magic %#x", be.Uint32(cd))
	}
	flags := be.Uint32(cd[12:])
	hashOff, identOff := uint64(be.Uint32(cd[16:])), uint64(be.Uint32(cd[20:]))
	nCode, limit := uint64(be.Uint32(cd[28:])), int64(be.Uint32(cd[32:]))
	hashSize, hashType, pageBits := uint64(cd[36]), cd[37], cd[39]
	cs.AdHoc = flags&csFlagAdhoc != 0
	if identOff < uint64(len(cd)) {
		id := cd[identOff:]
		if i := bytes.IndexByte(id, 0); i >= 0 {
			id = id[:i]
		}
		cs.Identifier = string(id)
	}
	newHash, name, size := codeHash(hashType)
	if newHash == nil {
		return bad("unknown hash type %d", hashType)
	}
	cs.Hash = name
	if hashSize != uint64(size) {
		return bad("%s hashes of %d bytes", name, hashSize)
	}
	if pageBits > 30 || pageBits != 0 && pageBits < 9 {
		return bad("page size 2^%d", pageBits)
	}
	if limit > sigOff {
		return bad("signed range (%d bytes) covers the signature at %d", limit, sigOff)
	}
	page := limit
	if pageBits != 0 {
		page = 1 << pageBits
	}
	want := uint64(0)
	if limit > 0 {
		want = uint64((limit + page - 1) / page)
	}
	if nCode != want {
		return bad("%d page hashes for %d bytes in pages of %d", nCode, limit, page)
	}
	if hashOff > uint64(len(cd)) || nCode*hashSize > uint64(len(cd))-hashOff {
		return bad("page hashes outside the CodeDirectory")
	}
	cs.Pages = int(nCode)
	h := newHash()
	for i := range int64(nCode) {
		start := i * page
		n := min(page, limit-start)
		h.Reset()
		if got, err := io.Copy(h, io.NewSectionReader(code, start, n)); got < n {
			cs.Problem = fmt.Sprintf("page %d of %d (bytes %d to %d) is beyond the end of the file: %v", i+1, nCode, start, start+n, err)
			return cs
		}
		sum := h.Sum(nil)[:hashSize]
		if !bytes.Equal(sum, cd[hashOff+uint64(i)*hashSize:][:hashSize]) {
			cs.Problem = fmt.Sprintf("page %d of %d (bytes %d to %d) does not match its hash: the file changed after it was signed", i+1, nCode, start, start+n)
			return cs
		}
	}
	return cs
}

// codeHash returns the hash of a CodeDirectory hash type, its name and the
// size of its stored digests.
func codeHash(t uint8) (func() hash.Hash, string, int) {
	switch t {
	case 1:
		return sha1.New, "sha1", 20
	case 2:
		return sha256.New, "sha256", 32
	case 3:
		return sha256.New, "sha256-truncated", 20
	case 4:
		return sha512.New384, "sha384", 48
	}
	return nil, "", 0
}

// SignatureError reports a darwin/arm64 binary, or the arm64 slice of a
// universal one, that macOS on Apple silicon will not launch: it has no
// code signature, or one that no longer matches its bytes.
type SignatureError struct {
	Path string
	// Slice is true for a slice of a universal binary.
	Slice bool
	// Problem is the signature's Problem; empty when there is none.
	Problem string
}

func (e *SignatureError) Error() string {
	what := "darwin/arm64 binary"
	if e.Slice {
		what = "arm64 slice"
	}
	var msg string
	if e.Problem == "" {
		msg = what + " has no code signature (no LC_CODE_SIGNATURE): macOS on Apple silicon kills unsigned arm64 programs at launch"
	} else {
		msg = what + ": the code signature does not hold (" + e.Problem + "), and macOS on Apple silicon kills it at launch"
	}
	msg += "; Go's linker ad-hoc signs darwin/arm64 output, so ship the file as go build wrote it" +
		" (no strip, -X rewriting tool or packer afterwards), or re-sign it after the change:" +
		" `codesign -s - FILE` on macOS, `rcodesign sign FILE` elsewhere"
	if e.Path != "" {
		msg = e.Path + ": " + msg
	}
	return msg
}

// SignatureError returns nil when the binary is not darwin/arm64 code or
// carries a code signature that matches it, else a *SignatureError (one
// per failing slice of a universal binary, aggregated).
func (r *Report) SignatureError() error {
	switch r.Format {
	case "macho":
		if r.OS != "darwin" || r.Arch != "arm64" {
			return nil
		}
		if r.Signature == nil {
			return &SignatureError{Path: r.Path}
		}
		if r.Signature.Problem != "" {
			return &SignatureError{Path: r.Path, Problem: r.Signature.Problem}
		}
	case "macho-universal":
		var errs *multierror.Error
		for _, s := range r.Slices {
			if err := s.SignatureError(); err != nil {
				if se, ok := err.(*SignatureError); ok {
					se.Slice = true
				}
				errs = multierror.Append(errs, err)
			}
		}
		if errs != nil && len(errs.Errors) == 1 {
			return errs.Errors[0]
		}
		return errs.ErrorOrNil()
	}
	return nil
}

// String is the one-line form of a signature for messages: "ad-hoc, 400
// sha256 page hashes match", "unsigned".
func (cs *CodeSignature) String() string {
	if cs == nil {
		return "unsigned"
	}
	var parts []string
	if cs.AdHoc {
		parts = append(parts, "ad-hoc")
	} else {
		parts = append(parts, "signed")
	}
	if cs.Problem != "" {
		parts = append(parts, "INVALID: "+cs.Problem)
	} else {
		parts = append(parts, fmt.Sprintf("%d %s page hashes match", cs.Pages, cs.Hash))
	}
	return strings.Join(parts, ", ")
}
