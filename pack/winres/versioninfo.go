package winres

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Language and code page of the string table: U.S. English (0x0409) in
// Unicode (1200 = 0x04b0), what Windows shows when no better one matches.
const (
	langEnUS    = 0x0409
	codePageU16 = 0x04b0
	stringTable = "040904b0"
)

// VS_FIXEDFILEINFO constants.
const (
	fixedSignature  = 0xfeef04bd
	fixedStrucVer   = 0x00010000
	fileFlagsMask   = 0x3f
	fileFlagPreRel  = 0x2
	fileOSNTWindows = 0x00040004 // VOS_NT_WINDOWS32
	fileTypeApp     = 0x1        // VFT_APP
)

// Version is a release version as a VERSIONINFO carries it.
type Version struct {
	// Fixed is the four-part numeric version of VS_FIXEDFILEINFO
	// (major, minor, patch, 0), what Explorer shows as "File version".
	Fixed [4]uint16
	// String is the version text of the FileVersion and ProductVersion
	// strings: the release version without its leading "v".
	String string
	// Prerelease is true for a version with a pre-release part
	// ("1.2.3-rc.1"), which sets VS_FF_PRERELEASE.
	Prerelease bool
}

// ParseVersion reads a semantic version ("v1.2.3", "1.2.3-rc.1+build")
// into its VERSIONINFO form; each of major, minor and patch must fit 16
// bits (0 to 65535), the limit of the fixed version's parts.
func ParseVersion(v string) (Version, error) {
	s := strings.TrimPrefix(v, "v")
	core, _, _ := strings.Cut(s, "+")
	core, pre, hasPre := strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	bad := func(why string) (Version, error) {
		return Version{}, fmt.Errorf("version %q: %s (want a semantic version such as v1.2.3 or 1.2.3-rc.1)", v, why)
	}
	if len(parts) != 3 {
		return bad("not MAJOR.MINOR.PATCH")
	}
	if hasPre && pre == "" {
		return bad("empty pre-release part")
	}
	var out Version
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || p == "" || len(p) > 1 && p[0] == '0' {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return bad(fmt.Sprintf("%s is over 65535, the largest part a Windows file version holds", p))
			}
			return bad(fmt.Sprintf("%q is not a number", p))
		}
		out.Fixed[i] = uint16(n)
	}
	out.String, out.Prerelease = s, hasPre
	return out, nil
}

// versionInfo encodes the VS_VERSIONINFO resource of o, whose version
// parsed to v. Strings are the non-empty ones, in the order of
// stringKeys.
func versionInfo(o Options, v Version) []byte {
	fixed := make([]byte, 0, 52)
	le := binary.LittleEndian
	ms := func(a, b uint16) uint32 { return uint32(a)<<16 | uint32(b) }
	flags := uint32(0)
	if v.Prerelease {
		flags |= fileFlagPreRel
	}
	for _, x := range []uint32{
		fixedSignature, fixedStrucVer,
		ms(v.Fixed[0], v.Fixed[1]), ms(v.Fixed[2], v.Fixed[3]), // file version
		ms(v.Fixed[0], v.Fixed[1]), ms(v.Fixed[2], v.Fixed[3]), // product version
		fileFlagsMask, flags, fileOSNTWindows, fileTypeApp, 0, // subtype
		0, 0, // date: none, for reproducible output
	} {
		fixed = le.AppendUint32(fixed, x)
	}
	var strs [][]byte
	for _, kv := range o.strings(v) {
		strs = append(strs, node(kv[0], utf16z(kv[1]), uint16(len(utf16.Encode([]rune(kv[1])))+1), 1, nil))
	}
	table := node(stringTable, nil, 0, 1, strs)
	sfi := node("StringFileInfo", nil, 0, 1, [][]byte{table})
	translation := le.AppendUint16(le.AppendUint16(nil, langEnUS), codePageU16)
	vfi := node("VarFileInfo", nil, 0, 1, [][]byte{node("Translation", translation, uint16(len(translation)), 0, nil)})
	return node("VS_VERSION_INFO", fixed, uint16(len(fixed)), 0, [][]byte{sfi, vfi})
}

// node encodes one version-info block: wLength, wValueLength, wType, the
// key in UTF-16 with its NUL, padding to 32 bits, the value, padding, and
// the children, each starting on a 32-bit boundary. valueLen is in bytes
// for binary values (typ 0) and in UTF-16 units for text (typ 1).
func node(key string, value []byte, valueLen, typ uint16, children [][]byte) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(le.AppendUint16(le.AppendUint16(nil, 0), valueLen), typ)
	b = append(b, utf16z(key)...)
	b = pad4(b)
	b = append(b, value...)
	for _, c := range children {
		b = pad4(b)
		b = append(b, c...)
	}
	le.PutUint16(b, uint16(len(b)))
	return b
}

// utf16z encodes s as little-endian UTF-16 with a terminating NUL.
func utf16z(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return append(b, 0, 0)
}

func pad4(b []byte) []byte {
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}
