package verify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
)

// VersionInfo is a PE file's VERSIONINFO resource: what Explorer's
// Properties and installers show.
type VersionInfo struct {
	// FileVersion and ProductVersion are the fixed (VS_FIXEDFILEINFO)
	// versions, "1.2.3.0".
	FileVersion    string `json:"fileVersion"`
	ProductVersion string `json:"productVersion"`
	// Flags are the fixed file flags that the mask allows (VS_FF_*).
	Flags uint32 `json:"flags,omitempty"`
	// Strings are the first string table's entries: FileVersion,
	// ProductVersion, ProductName, FileDescription, CompanyName, ...
	Strings map[string]string `json:"strings,omitempty"`
}

const fixedFileInfoSignature = 0xfeef04bd

// viNode is one block of a version resource: a key, a value and children.
type viNode struct {
	key      string
	value    []byte
	text     bool
	children []viNode
}

// parseVersionInfo decodes a VS_VERSIONINFO resource. It returns what it
// could read along with an error for malformed data.
func parseVersionInfo(b []byte) (*VersionInfo, error) {
	root, err := parseNode(b, 0)
	if err != nil {
		return nil, err
	}
	if root.key != "VS_VERSION_INFO" {
		return nil, fmt.Errorf("root key %q, want VS_VERSION_INFO", root.key)
	}
	le := binary.LittleEndian
	v := &VersionInfo{}
	var problem error
	if f := root.value; len(f) >= 52 && le.Uint32(f) == fixedFileInfoSignature {
		v.FileVersion = fourPart(le.Uint32(f[8:]), le.Uint32(f[12:]))
		v.ProductVersion = fourPart(le.Uint32(f[16:]), le.Uint32(f[20:]))
		v.Flags = le.Uint32(f[28:]) & le.Uint32(f[24:])
	} else {
		problem = errors.New("no VS_FIXEDFILEINFO")
	}
	for _, c := range root.children {
		if c.key != "StringFileInfo" || len(c.children) == 0 {
			continue
		}
		v.Strings = map[string]string{}
		for _, s := range c.children[0].children {
			v.Strings[s.key] = utf16String(s.value)
		}
		break
	}
	return v, problem
}

func fourPart(ms, ls uint32) string {
	return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
}

// maxNodeDepth bounds the nesting of version blocks: VS_VERSIONINFO,
// StringFileInfo, StringTable, String.
const maxNodeDepth = 4

// parseNode decodes the block at the start of b: wLength, wValueLength,
// wType, the UTF-16 key, padding to 32 bits, the value, padding, children.
func parseNode(b []byte, depth int) (viNode, error) {
	le := binary.LittleEndian
	var n viNode
	if len(b) < 6 {
		return n, fmt.Errorf("block of %d bytes", len(b))
	}
	size, valueLen, typ := int(le.Uint16(b)), int(le.Uint16(b[2:])), le.Uint16(b[4:])
	if size < 6 || size > len(b) {
		return n, fmt.Errorf("block length %d in %d bytes", size, len(b))
	}
	b = b[:size]
	n.text = typ == 1
	at := 6
	for ; at+1 < len(b); at += 2 {
		if le.Uint16(b[at:]) == 0 {
			break
		}
	}
	if at+1 >= len(b) {
		return n, errors.New("key without its NUL")
	}
	n.key = utf16String(b[6:at])
	at = pad4(at + 2)
	vlen := valueLen
	if n.text {
		vlen *= 2 // text values count UTF-16 units
	}
	vlen = min(vlen, max(len(b)-at, 0)) // some writers count bytes: stay inside
	if at < len(b) {
		n.value = b[at : at+vlen]
	}
	at = pad4(at + vlen)
	if depth >= maxNodeDepth {
		return n, nil
	}
	for len(b)-at >= 6 { // shorter: padding some writers count in wLength
		c, err := parseNode(b[at:], depth+1)
		if err != nil {
			return n, fmt.Errorf("%s: %w", n.key, err)
		}
		n.children = append(n.children, c)
		at = pad4(at + int(le.Uint16(b[at:])))
	}
	return n, nil
}

// utf16String decodes little-endian UTF-16 up to the first NUL.
func utf16String(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// VersionInfoError reports a windows binary whose VERSIONINFO does not
// carry the release version.
type VersionInfoError struct {
	Path string
	// Want is the release version checked against.
	Want string
	// Problems lists each disagreement: "no VERSIONINFO", "fixed file
	// version 1.2.0.0, want 1.2.3.0", "string FileVersion \"1.2\", want
	// \"1.2.3\"", ...
	Problems []string
}

func (e *VersionInfoError) Error() string {
	msg := fmt.Sprintf("Windows version resource does not carry the release version %s: %s", e.Want, strings.Join(e.Problems, "; "))
	if e.Path != "" {
		msg = e.Path + ": " + msg
	}
	return msg
}

// VersionInfoError returns nil when the PE file carries a VERSIONINFO
// whose fixed file and product versions are version's
// MAJOR.MINOR.PATCH.0 and whose FileVersion and ProductVersion strings
// are version without its "v", else a *VersionInfoError listing every
// disagreement. version is a semantic version ("v1.2.3", "1.2.3-rc.1").
// Files that are not PE have no VERSIONINFO to check: nil.
func (r *Report) VersionInfoError(version string) error {
	if r.Format != "pe" {
		return nil
	}
	e := &VersionInfoError{Path: r.Path, Want: version}
	fixed, err := fixedVersion(version)
	if err != nil {
		e.Problems = append(e.Problems, err.Error())
		return e
	}
	var v *VersionInfo
	if r.Resources != nil {
		v = r.Resources.Version
	}
	if v == nil {
		e.Problems = append(e.Problems, "no VERSIONINFO resource")
		return e
	}
	text := strings.TrimPrefix(version, "v")
	for _, c := range []struct{ what, got, want string }{
		{"fixed file version", v.FileVersion, fixed},
		{"fixed product version", v.ProductVersion, fixed},
		{"string FileVersion", strconv.Quote(v.Strings["FileVersion"]), strconv.Quote(text)},
		{"string ProductVersion", strconv.Quote(v.Strings["ProductVersion"]), strconv.Quote(text)},
	} {
		if c.got != c.want {
			e.Problems = append(e.Problems, fmt.Sprintf("%s %s, want %s", c.what, c.got, c.want))
		}
	}
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}

// fixedVersion is the four-part fixed version of a semantic version:
// MAJOR.MINOR.PATCH.0.
func fixedVersion(version string) (string, error) {
	core, _, _ := strings.Cut(strings.TrimPrefix(version, "v"), "+")
	core, _, _ = strings.Cut(core, "-")
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("release version %q is not MAJOR.MINOR.PATCH", version)
	}
	for _, p := range parts {
		if n, err := strconv.ParseUint(p, 10, 16); err != nil || strconv.FormatUint(n, 10) != p {
			return "", fmt.Errorf("release version %q: %q does not fit a Windows version part (0 to 65535)", version, p)
		}
	}
	return core + ".0", nil
}

// pad4 rounds n up to a multiple of 4: blocks start on 32-bit boundaries.
func pad4(n int) int { return (n + 3) &^ 3 }
