// Package bindiff explains where two builds of the same binary differ, in
// terms a user can act on: the section holding the first differing byte
// (".go.buildinfo", ".rodata", "__TEXT,__text", ".text" of a PE), every
// section whose bytes differ, and the Go build info fields that differ (Go
// version, -tags, CGO_ENABLED, GOARCH, module versions).
//
// It reads ELF, PE, Mach-O and universal Mach-O files with the standard
// debug/* packages only, and survives hostile input: their panics become
// errors wrapping ErrNotExecutable.
package bindiff

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// Diff is how two files differ.
type Diff struct {
	// Identical is true when the files are byte for byte the same; the
	// other fields are then empty.
	Identical bool `json:"identical"`
	// SizeA and SizeB are the files' sizes.
	SizeA int64 `json:"sizeA"`
	SizeB int64 `json:"sizeB"`
	// Format is the format of a: "elf", "pe", "macho", "macho-universal".
	Format string `json:"format,omitempty"`
	// Offset is the file offset of the first differing byte (the size of
	// the shorter file when one is a prefix of the other); -1 when
	// identical.
	Offset int64 `json:"offset"`
	// Section names what holds Offset in a: a section (".rodata"), a
	// header ("ELF header", "section headers", "load commands") or ""
	// when nothing does (padding, or past the end of a).
	Section string `json:"section,omitempty"`
	// Sections are the sections whose bytes differ, in a's file order.
	Sections []SectionDiff `json:"sections,omitempty"`
	// BuildInfo lists the build info fields that differ.
	BuildInfo []Change `json:"buildInfo,omitempty"`
	// NoBuildInfo names the files without readable Go build info: "a",
	// "b" or "a, b".
	NoBuildInfo string `json:"noBuildInfo,omitempty"`
}

// SectionDiff is one section whose bytes differ between the files.
type SectionDiff struct {
	Name string `json:"name"`
	// SizeA and SizeB are the section's sizes; -1 when a file lacks it.
	SizeA int64 `json:"sizeA"`
	SizeB int64 `json:"sizeB"`
	// Offset is where in the section the first difference is (-1 when
	// only the sizes differ or a file lacks the section).
	Offset int64 `json:"offset"`
}

// ExplainFiles compares the named files.
func ExplainFiles(a, b string) (Diff, error) {
	fa, err := os.Open(a)
	if err != nil {
		return Diff{}, fmt.Errorf("bindiff: %w", err)
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return Diff{}, fmt.Errorf("bindiff: %w", err)
	}
	defer fb.Close()
	sa, err := fa.Stat()
	if err != nil {
		return Diff{}, fmt.Errorf("bindiff: %w", err)
	}
	sb, err := fb.Stat()
	if err != nil {
		return Diff{}, fmt.Errorf("bindiff: %w", err)
	}
	d, err := Explain(io.NewSectionReader(fa, 0, sa.Size()), io.NewSectionReader(fb, 0, sb.Size()))
	if err != nil {
		return Diff{}, fmt.Errorf("bindiff %s %s: %w", a, b, err)
	}
	return d, nil
}

// Explain compares two builds. Identical inputs are a Diff with Identical
// set, whatever they hold; differing inputs must both be executables
// (else the error wraps ErrNotExecutable).
func Explain(a, b *io.SectionReader) (Diff, error) {
	d := Diff{SizeA: a.Size(), SizeB: b.Size(), Offset: -1}
	off, err := firstDiff(a, 0, a.Size(), b, 0, b.Size())
	if err != nil {
		return Diff{}, err
	}
	if off < 0 {
		d.Identical = true
		return d, nil
	}
	d.Offset = off
	la, err := readLayout(a, a.Size())
	if err != nil {
		return Diff{}, fmt.Errorf("a: %w", err)
	}
	lb, err := readLayout(b, b.Size())
	if err != nil {
		return Diff{}, fmt.Errorf("b: %w", err)
	}
	d.Format, d.Section = la.Format, la.at(off)
	if d.Sections, err = sectionDiffs(a, la, b, lb); err != nil {
		return Diff{}, err
	}

	bia, bib := readBuildInfo(a), readBuildInfo(b)
	switch {
	case bia != nil && bib != nil:
		d.BuildInfo = buildInfoChanges(bia, bib)
	case bia == nil && bib == nil:
		d.NoBuildInfo = "a, b"
	case bia == nil:
		d.NoBuildInfo = "a"
	default:
		d.NoBuildInfo = "b"
	}
	return d, nil
}

// buildIDSections hold the Go and GNU build IDs of an ELF file.
var buildIDSections = map[string]bool{".note.go.buildid": true, ".note.gnu.build-id": true}

// sectionDiffs compares the spans of a and b by name.
func sectionDiffs(a *io.SectionReader, la layout, b *io.SectionReader, lb layout) ([]SectionDiff, error) {
	inB := map[string]span{}
	for _, s := range lb.Spans {
		if _, dup := inB[s.Name]; !dup {
			inB[s.Name] = s
		}
	}
	var out []SectionDiff
	seen := map[string]bool{}
	for _, sa := range la.Spans {
		if seen[sa.Name] {
			continue
		}
		seen[sa.Name] = true
		sb, ok := inB[sa.Name]
		if !ok {
			out = append(out, SectionDiff{sa.Name, sa.Size, -1, -1})
			continue
		}
		off, err := firstDiff(a, sa.Off, sa.Size, b, sb.Off, sb.Size)
		if err != nil {
			return nil, err
		}
		if off >= 0 {
			if off == min(sa.Size, sb.Size) {
				off = -1
			}
			out = append(out, SectionDiff{sa.Name, sa.Size, sb.Size, off})
		}
	}
	for _, sb := range lb.Spans {
		if !seen[sb.Name] {
			seen[sb.Name] = true
			out = append(out, SectionDiff{sb.Name, -1, sb.Size, -1})
		}
	}
	return out, nil
}

// firstDiff returns the first offset at which the ranges differ (the
// shorter size when one is a prefix of the other), or -1 when they are
// equal. Ranges past the end of a reader are cut at its end.
func firstDiff(a io.ReaderAt, aOff, aSize int64, b io.ReaderAt, bOff, bSize int64) (int64, error) {
	const chunk = 64 << 10
	ba, bb := make([]byte, chunk), make([]byte, chunk)
	for pos := int64(0); ; pos += chunk {
		na, err := readFull(a, ba, aOff+pos, aSize-pos)
		if err != nil {
			return 0, err
		}
		nb, err := readFull(b, bb, bOff+pos, bSize-pos)
		if err != nil {
			return 0, err
		}
		n := min(na, nb)
		for i := 0; i < n; i++ {
			if ba[i] != bb[i] {
				return pos + int64(i), nil
			}
		}
		if na != nb {
			return pos + int64(n), nil
		}
		if na < chunk {
			return -1, nil
		}
	}
}

// readFull reads up to min(len(buf), limit) bytes at off; a short read at
// the end of r is not an error.
func readFull(r io.ReaderAt, buf []byte, off, limit int64) (int, error) {
	if limit <= 0 || off < 0 {
		return 0, nil
	}
	if limit < int64(len(buf)) {
		buf = buf[:limit]
	}
	n, err := r.ReadAt(buf, off)
	if err == io.EOF {
		err = nil
	}
	if err != nil {
		return n, fmt.Errorf("bindiff: read at %d: %w", off, err)
	}
	return n, nil
}

// String says where the builds differ, one fact per line.
func (d Diff) String() string {
	if d.Identical {
		return "identical"
	}
	var b strings.Builder
	where := d.Section
	if where == "" {
		where = "no section"
	}
	fmt.Fprintf(&b, "first difference at byte %d (%#x) in %s", d.Offset, d.Offset, where)
	if buildIDSections[d.Section] {
		b.WriteString(" (the build ID: it changes with any input, see the other sections)")
	}
	if d.SizeA != d.SizeB {
		fmt.Fprintf(&b, "; sizes %d and %d", d.SizeA, d.SizeB)
	}
	b.WriteString("\n")
	if len(d.Sections) > 0 {
		names := make([]string, len(d.Sections))
		for i, s := range d.Sections {
			names[i] = s.Name
		}
		fmt.Fprintf(&b, "sections that differ: %s\n", strings.Join(names, ", "))
	}
	for _, c := range d.BuildInfo {
		fmt.Fprintf(&b, "build info %s\n", c)
	}
	if d.NoBuildInfo != "" {
		fmt.Fprintf(&b, "no Go build info in %s\n", d.NoBuildInfo)
	}
	if len(d.BuildInfo) == 0 && d.NoBuildInfo == "" {
		b.WriteString("build info identical: the difference is not in the recorded settings (ldflags with -trimpath, embedded files, the toolchain's non-determinism)\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
