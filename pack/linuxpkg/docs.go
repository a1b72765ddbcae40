package linuxpkg

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goreleaser/chglog"
)

// docFiles are the staged files that nfpm reads from disk besides the
// binary ("" when absent).
type docFiles struct {
	unit, copyright, changelog string
}

// writeDocs stages the unit, the Debian copyright file and the changelog
// source in dir.
func writeDocs(dir string, o Options, v version) (docFiles, error) {
	var d docFiles
	if len(o.Unit) > 0 {
		d.unit = filepath.Join(dir, o.Name+".service")
		if err := os.WriteFile(d.unit, o.Unit, 0o644); err != nil {
			return d, err
		}
	}
	d.copyright = filepath.Join(dir, "copyright")
	if err := os.WriteFile(d.copyright, copyright(o), 0o644); err != nil {
		return d, err
	}
	d.changelog = filepath.Join(dir, "changelog.yml")
	entries := chglog.ChangeLogEntries{{
		// The Debian changelog prints Semver verbatim: give it the
		// package's full Debian version so that the two agree.
		Semver:   v.deb() + "-" + o.Release,
		Date:     o.ModTime,
		Packager: cmpOr(o.Maintainer, "Unset Maintainer <unset@localhost>"),
		ChangeLogOverridables: chglog.ChangeLogOverridables{
			Deb: &chglog.ChangelogDeb{Urgency: "medium", Distributions: []string{"stable"}},
		},
		Changes: chglog.ChangeLogChanges{{Note: "Release " + o.Version + "."}},
	}}
	if err := entries.Save(d.changelog); err != nil {
		return d, err
	}
	return d, nil
}

// copyright returns a machine-readable Debian copyright file
// (https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/).
func copyright(o Options) []byte {
	holder := cmpOr(o.Vendor, cmpOr(o.Maintainer, "the "+o.Name+" authors"))
	license := cmpOr(o.License, "unknown")
	var b bytes.Buffer
	b.WriteString("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
	fmt.Fprintf(&b, "Upstream-Name: %s\n", o.Name)
	if o.Homepage != "" {
		fmt.Fprintf(&b, "Source: %s\n", oneLine(o.Homepage))
	}
	fmt.Fprintf(&b, "\nFiles: *\nCopyright: %d %s\nLicense: %s\n", o.ModTime.Year(), oneLine(holder), oneLine(license))
	fmt.Fprintf(&b, "\nLicense: %s\n", oneLine(license))
	if o.Homepage != "" {
		fmt.Fprintf(&b, " The license text is distributed with the source code at\n %s\n", oneLine(o.Homepage))
	} else {
		b.WriteString(" The license text is distributed with the source code.\n")
	}
	return b.Bytes()
}

// oneLine keeps a value on its line of a deb822 file.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
