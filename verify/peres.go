package verify

import (
	"debug/pe"
	"encoding/binary"
	"fmt"
	"io"
)

// Windows resources: the resource directory (data directory 2) is a tree
// of type, name and language directories whose leaves point at the data
// by RVA. verify reads two resources from it: the VERSIONINFO (type 16)
// and the application manifest (type 24), each the first name and
// language of its type.
const (
	peDirResource  = 2
	rtVersion      = 16
	rtManifest     = 24
	resDirSize     = 16
	resEntrySize   = 8
	resSubdir      = 0x80000000
	maxResource    = 1 << 20 // a VERSIONINFO is at most 64 KiB; manifests are small
	maxDirEntries  = 1 << 12 // entries read per directory
	resDirectories = 3       // type, name, language
)

// Resources is what kiln reads from a PE file's resource section.
type Resources struct {
	// Version is the VERSIONINFO resource, nil when there is none.
	Version *VersionInfo `json:"version,omitempty"`
	// Manifest is the application manifest, empty when there is none.
	Manifest string `json:"manifest,omitempty"`
	// Problem says why the section could not be read completely
	// (malformed directory or data); what was read is kept.
	Problem string `json:"problem,omitempty"`
}

// readResources reads the resources of f; nil when it has no resource
// directory.
func readResources(f *pe.File) *Resources {
	var dirs []pe.DataDirectory
	switch oh := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
	case *pe.OptionalHeader32:
		dirs = oh.DataDirectory[:min(int(oh.NumberOfRvaAndSizes), len(oh.DataDirectory))]
	}
	if len(dirs) <= peDirResource || dirs[peDirResource].VirtualAddress == 0 {
		return nil
	}
	res := &Resources{}
	root := dirs[peDirResource].VirtualAddress
	img := peImage{f}
	if data, err := img.resource(root, rtVersion); err != nil {
		res.Problem = "VERSIONINFO: " + err.Error()
	} else if data != nil {
		v, err := parseVersionInfo(data)
		if err != nil {
			res.Problem = "VERSIONINFO: " + err.Error()
		}
		res.Version = v
	}
	if data, err := img.resource(root, rtManifest); err != nil {
		res.Problem = joinProblem(res.Problem, "manifest: "+err.Error())
	} else {
		res.Manifest = string(data)
	}
	return res
}

func joinProblem(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// peImage reads a PE file by RVA.
type peImage struct{ f *pe.File }

// read returns n bytes at rva, from the section that holds them.
func (img peImage) read(rva, n uint32) ([]byte, error) {
	for _, s := range img.f.Sections {
		size := max(s.VirtualSize, s.Size)
		if rva < s.VirtualAddress || uint64(rva)+uint64(n) > uint64(s.VirtualAddress)+uint64(size) {
			continue
		}
		b := make([]byte, n)
		// Bytes past the section's file data read as zeros, as in memory.
		if _, err := s.ReadAt(b, int64(rva-s.VirtualAddress)); err != nil && err != io.EOF {
			return nil, err
		}
		return b, nil
	}
	return nil, fmt.Errorf("%d bytes at RVA %#x are outside every section", n, rva)
}

// resource returns the data of the first name and language of resource
// type typ under the resource directory at rva root; nil when there is
// none.
func (img peImage) resource(root, typ uint32) ([]byte, error) {
	le := binary.LittleEndian
	dir := uint32(0) // offset of the directory in the resource tree
	for level := range resDirectories {
		hdr, err := img.read(root+dir, resDirSize)
		if err != nil {
			return nil, err
		}
		named, ids := uint32(le.Uint16(hdr[12:])), uint32(le.Uint16(hdr[14:]))
		n := min(named+ids, maxDirEntries)
		entries, err := img.read(root+dir+resDirSize, n*resEntrySize)
		if err != nil {
			return nil, err
		}
		found := false
		for i := range n {
			e := entries[i*resEntrySize:]
			id, target := le.Uint32(e), le.Uint32(e[4:])
			if level == 0 && id != typ { // types: by ID; names and languages: the first
				continue
			}
			if subdir := target&resSubdir != 0; subdir != (level < resDirectories-1) {
				return nil, fmt.Errorf("entry %d of a level %d directory points at the wrong kind of node", i, level+1)
			}
			dir, found = target&^resSubdir, true
			break
		}
		if !found {
			return nil, nil
		}
	}
	leaf, err := img.read(root+dir, 16)
	if err != nil {
		return nil, err
	}
	rva, size := le.Uint32(leaf), le.Uint32(leaf[4:])
	if size > maxResource {
		return nil, fmt.Errorf("resource of %d bytes is implausibly large", size)
	}
	return img.read(rva, size)
}
