// Package winres gives a linked Windows executable its resources: a
// VERSIONINFO (what Explorer's Properties and installers show) and an
// application manifest, by appending a .rsrc section to the PE file after
// go build, in Go.
//
// Patching the linked file, rather than linking a .syso, leaves nothing in
// the source tree (a .syso there would dirty it, and go build -overlay does
// not cover .syso files). The VERSIONINFO's fixed file and product versions
// are the release version's major.minor.patch.0; its string table (U.S.
// English, Unicode) holds FileVersion and ProductVersion (the release
// version without its "v"), ProductName, FileDescription, CompanyName and
// LegalCopyright when set, OriginalFilename and InternalName. The manifest
// is described by Manifest.
//
// The output is reproducible: no timestamps, a fixed layout, so the same
// executable and Options give the same bytes. The PE checksum is
// recomputed when the input had one (mingw-linked files do; Go's linker
// writes none).
//
// Settings are a project's choices for all its windows binaries, and
// Settings.Options one binary's resources; Options.Key identifies them in
// a build's key, so a change of them rebuilds. Settings.Check reports the
// bad ones naming kiln's setting behind each field, and PatchBuilt is
// PatchFile as the build step kiln runs on a linked executable.
package winres

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hashicorp/go-multierror"
	"github.com/kiln-build/kiln/internal/atomicfile"
)

// Options are the resources of one executable.
type Options struct {
	// Version is the release version, a semantic version ("v1.2.3",
	// "1.2.3-rc.1"); see ParseVersion. Required.
	Version string
	// ProductName is the product the file belongs to. Required.
	ProductName string
	// FileDescription is the one line Windows shows for the program (Task
	// Manager, the firewall prompt); ProductName when empty.
	FileDescription string
	// CompanyName and LegalCopyright are left out when empty.
	CompanyName    string
	LegalCopyright string
	// OriginalFilename is the file's name as shipped, "app.exe". Required.
	OriginalFilename string
	// InternalName is OriginalFilename without ".exe" when empty.
	InternalName string
	// Manifest is the application manifest; the zero value is kiln's
	// default (see Manifest).
	Manifest Manifest
}

// FieldError reports one bad option.
type FieldError struct {
	Field, Value, Reason string
}

func (e *FieldError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Reason)
}

// FileError is PatchFile's error for a file it read but could not patch:
// the file, and why (a bad option, a *PEError, ErrSigned,
// ErrHasResources).
type FileError struct {
	Path string
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("winres: %s: %v", e.Path, e.Err) }

func (e *FileError) Unwrap() error { return e.Err }

// Validate returns every problem of o at once, each a *FieldError naming
// its field, in a *multierror.Error; nil when o is usable.
func (o Options) Validate() error {
	var errs *multierror.Error
	if _, err := ParseVersion(o.Version); err != nil {
		errs = multierror.Append(errs, &FieldError{"Version", "", strings.TrimPrefix(err.Error(), "version ")})
	}
	for _, f := range []struct{ name, value string }{
		{"ProductName", o.ProductName}, {"OriginalFilename", o.OriginalFilename},
	} {
		if f.value == "" {
			errs = multierror.Append(errs, &FieldError{f.name, "", "is required"})
		}
	}
	for _, f := range o.fields() {
		if strings.ContainsRune(f[1], 0) {
			errs = multierror.Append(errs, &FieldError{f[0], f[1], "contains a NUL character"})
		}
	}
	for _, err := range o.Manifest.validate() {
		errs = multierror.Append(errs, err)
	}
	if errs == nil {
		if v, _ := ParseVersion(o.Version); len(versionInfo(o, v)) > 0xffff {
			errs = multierror.Append(errs, &FieldError{"Options", "", "make a VERSIONINFO over 64 KiB: shorten the strings"})
		}
	}
	return errs.ErrorOrNil()
}

// fields are the string options by name, for validation.
func (o Options) fields() [][2]string {
	return [][2]string{
		{"ProductName", o.ProductName}, {"FileDescription", o.FileDescription}, {"CompanyName", o.CompanyName},
		{"LegalCopyright", o.LegalCopyright}, {"OriginalFilename", o.OriginalFilename}, {"InternalName", o.InternalName},
	}
}

// strings returns the string table's entries, in a fixed order, without
// empty ones.
func (o Options) strings(v Version) [][2]string {
	desc := o.FileDescription
	if desc == "" {
		desc = o.ProductName
	}
	internal := o.InternalName
	if internal == "" {
		internal = strings.TrimSuffix(o.OriginalFilename, ".exe")
	}
	var out [][2]string
	for _, kv := range [][2]string{
		{"CompanyName", o.CompanyName}, {"FileDescription", desc}, {"FileVersion", v.String},
		{"InternalName", internal}, {"LegalCopyright", o.LegalCopyright}, {"OriginalFilename", o.OriginalFilename},
		{"ProductName", o.ProductName}, {"ProductVersion", v.String},
	} {
		if kv[1] != "" {
			out = append(out, kv)
		}
	}
	return out
}

// resources returns the resources o describes.
func (o Options) resources() ([]resource, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	v, _ := ParseVersion(o.Version)
	rs := []resource{{typ: rtVersion, id: 1, lang: langEnUS, data: versionInfo(o, v)}}
	if m := o.Manifest.bytes(); m != nil {
		rs = append(rs, resource{typ: rtManifest, id: 1, lang: langEnUS, data: m})
	}
	return rs, nil
}

// Patch writes to w the executable exe with the resources of o in a new
// .rsrc section. exe must be a PE image (a *PEError says what is wrong
// otherwise), not Authenticode-signed (ErrSigned: sign after patching),
// and without resources (ErrHasResources: from a .syso file, or an earlier
// Patch with other options; patch the linker's output). A file that holds
// exactly the resources of o already is copied unchanged.
func Patch(w io.Writer, exe []byte, o Options) error {
	rs, err := o.resources()
	if err != nil {
		return err
	}
	out, err := appendResources(exe, rs)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// PatchFile patches the executable at path in place (see Patch),
// atomically: on failure the file is untouched and no temporary file is
// left beside it. It keeps the file's permissions. A file it read but
// could not patch is a *FileError.
func PatchFile(path string, o Options) error {
	exe, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("winres: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("winres: %w", err)
	}
	rs, err := o.resources()
	if err != nil {
		return &FileError{path, err}
	}
	out, err := appendResources(exe, rs)
	if err != nil {
		return &FileError{path, err}
	}
	if bytes.Equal(out, exe) {
		return nil // already patched so: leave the file (and its time) alone
	}
	return atomicfile.Write(path, fi.Mode().Perm(), func(w io.Writer) error {
		_, err := w.Write(out)
		return err
	})
}
