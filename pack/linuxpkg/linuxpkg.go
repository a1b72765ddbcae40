// Package linuxpkg builds deb, rpm and apk packages of one static Go
// program, with an optional systemd unit, using nfpm (no system tools).
//
// It is opt-in: nfpm brings about 40 modules into a consumer's build, so
// only code that imports this package pays for them.
//
// Every package installs the program as /usr/bin/<name> (mode 0755, owned
// by root) and, when Options.Unit is set, the unit as
// /usr/lib/systemd/system/<name>.service; it does not enable or start the
// service. The deb also carries /usr/share/doc/<name>/copyright and
// changelog.Debian.gz, as Debian policy asks.
//
// Packages are reproducible: every timestamp inside them is
// Options.ModTime, the rpm build host is fixed, and nothing else depends on
// the machine or the clock, so two builds from the same inputs are
// byte-identical.
package linuxpkg

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/apk"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
	"github.com/goreleaser/nfpm/v2/rpm"
	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/internal/atomicfile"
	"github.com/kiln-build/kiln/matrix"
)

// Options describe the packages of one program for one platform.
type Options struct {
	// Name is the package name and the installed program's name: lower
	// case letters, digits and + . - (Debian's rule, the strictest).
	Name string
	// Version is a semantic version, with or without the leading "v".
	// A pre-release sorts before its release in every format: 1.2.3-rc.1
	// is 1.2.3~rc.1 in deb and rpm and 1.2.3_rc1 in apk. Apk knows only
	// alpha, beta, pre and rc pre-releases: any other (0.0.0-dev) becomes
	// _alpha there, and build metadata (+meta) is dropped from apk only.
	Version string
	// Release is the package revision, digits only (default "1").
	Release string
	// Platform must be a linux platform; see Arch for the names used.
	Platform matrix.Platform
	// Programs are the binaries to install as /usr/bin/<Name>.
	Programs []Program

	Maintainer  string // "Jane Doe <jane@example.com>"; nfpm fills a placeholder if empty
	Description string // first line is the summary (default: Name)
	Homepage    string
	License     string // SPDX identifier, e.g. "MIT"
	Vendor      string

	// Unit is the content of a systemd unit (see pack/systemd), installed
	// as /usr/lib/systemd/system/<name>.service when not empty.
	Unit []byte
	// ModTime is every timestamp in the packages: use SOURCE_DATE_EPOCH or
	// the commit time. Zero means the binaries' modification times.
	ModTime time.Time
	// Formats to build: "deb", "rpm", "apk"; empty means all three.
	Formats []string
	// OutDir receives the packages, each written atomically.
	OutDir string
}

// Program is one binary a package installs.
type Program struct {
	Name string // installed as /usr/bin/<Name>
	Path string // the file to package
}

// Result is one package written.
type Result struct {
	Format string // "deb", "rpm" or "apk"
	Path   string // OutDir joined with the format's conventional file name
}

var (
	nameRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	releaseRE = regexp.MustCompile(`^[0-9]+$`)
	programRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9+._-]*$`)
)

// CheckNames returns the rules a package name and its programs' names
// break, all at once: the rule Build applies, for a caller to check the
// names before it builds anything.
func CheckNames(name string, programs []string) error {
	errs := []error{checkName(name)}
	for _, p := range programs {
		errs = append(errs, checkProgram(p))
	}
	return errors.Join(errs...)
}

func checkName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("name %q: want lower case letters, digits and + . - (at least 2 characters)", name)
	}
	return nil
}

func checkProgram(name string) error {
	if !nameRE.MatchString(name) && !programRE.MatchString(name) {
		return fmt.Errorf("program name %q: want letters, digits and + . _ -", name)
	}
	return nil
}

var packagers = map[string]nfpm.Packager{"deb": deb.Default, "rpm": rpm.DefaultRPM, "apk": apk.Default}

// Build writes one package per format into o.OutDir, named by the
// format's convention: name_version-release_arch.deb,
// name-version-release.arch.rpm, name_version-rrelease_arch.apk. Invalid
// options fail before anything is written; a format that fails does not
// stop the others, and all failures are returned together.
func Build(ctx context.Context, o Options) ([]Result, error) {
	v, err := o.check()
	if err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp("", "kiln-linuxpkg-")
	if err != nil {
		return nil, fmt.Errorf("packages of %s: %w", o.Name, err)
	}
	defer os.RemoveAll(stage)
	docs, err := writeDocs(stage, o, v)
	if err != nil {
		return nil, fmt.Errorf("packages of %s: %w", o.Name, err)
	}

	var results []Result
	var errs *multierror.Error
	for _, format := range o.Formats {
		if err := ctx.Err(); err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s package of %s: %w", format, o.Name, err))
			continue
		}
		path, err := buildOne(o, v, format, docs)
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s package of %s for %s: %w", format, o.Name, o.Platform, err))
			continue
		}
		results = append(results, Result{Format: format, Path: path})
	}
	return results, errs.ErrorOrNil()
}

// check validates o, fills its defaults and parses the version.
func (o *Options) check() (version, error) {
	var errs *multierror.Error
	bad := func(format string, args ...any) {
		errs = multierror.Append(errs, fmt.Errorf("linux packages: "+format, args...))
	}
	if err := checkName(o.Name); err != nil {
		bad("%v", err)
	}
	v, err := parseVersion(o.Version)
	if err != nil {
		bad("%v", err)
	}
	if o.Release == "" {
		o.Release = "1"
	} else if !releaseRE.MatchString(o.Release) {
		bad("release %q: want digits, e.g. 1", o.Release)
	}
	if o.Platform.OS != "linux" {
		bad("platform %s: packages are for linux only", o.Platform)
	}
	if len(o.Formats) == 0 {
		o.Formats = allFormats
	}
	for _, f := range o.Formats {
		if !isFormat(f) {
			bad("unknown format %q (want deb, rpm or apk)", f)
		}
	}
	if o.OutDir == "" {
		bad("OutDir is empty")
	}
	if o.Description == "" {
		o.Description = o.Name
	}
	if len(o.Programs) == 0 {
		bad("no program to package: set Programs")
	}
	seen := map[string]bool{}
	for _, prog := range o.Programs {
		switch fi, err := os.Stat(prog.Path); {
		case checkProgram(prog.Name) != nil:
			bad("%v", checkProgram(prog.Name))
		case seen[prog.Name]:
			bad("program %s is listed twice", prog.Name)
		case prog.Path == "":
			bad("program %s: Path is empty", prog.Name)
		case err != nil:
			bad("program %s: %w", prog.Name, err)
		case !fi.Mode().IsRegular():
			bad("program %s: %s is not a regular file", prog.Name, prog.Path)
		case o.ModTime.IsZero():
			o.ModTime = fi.ModTime()
		}
		seen[prog.Name] = true
	}
	o.ModTime = o.ModTime.UTC().Truncate(time.Second)
	return v, errs.ErrorOrNil()
}

// buildOne writes the package of one format and returns its path.
func buildOne(o Options, v version, format string, docs docFiles) (string, error) {
	arch, err := Arch(format, o.Platform)
	if err != nil {
		return "", err
	}
	info := &nfpm.Info{
		Name:            o.Name,
		Arch:            arch,
		Platform:        "linux",
		Version:         v.core,
		VersionSchema:   "none",
		Release:         o.Release,
		Prerelease:      v.pre,
		VersionMetadata: v.build,
		Section:         "misc",
		Priority:        "optional",
		Maintainer:      o.Maintainer,
		Description:     o.Description,
		Vendor:          o.Vendor,
		Homepage:        o.Homepage,
		License:         o.License,
		DisableGlobbing: true,
		MTime:           o.ModTime,
	}
	info.Deb.Arch, info.RPM.Arch, info.APK.Arch = arch, arch, arch
	// The default build host is os.Hostname(): fix it so that the rpm
	// does not depend on the machine that built it.
	info.RPM.BuildHost = "localhost"
	info.Contents = nil
	for _, prog := range o.Programs {
		info.Contents = append(info.Contents, file(prog.Path, "/usr/bin/"+prog.Name, 0o755))
	}
	if docs.unit != "" {
		info.Contents = append(info.Contents, file(docs.unit, "/usr/lib/systemd/system/"+o.Name+".service", 0o644))
	}
	switch format {
	case "deb":
		info.Contents = append(info.Contents, file(docs.copyright, "/usr/share/doc/"+o.Name+"/copyright", 0o644))
		info.Changelog = docs.changelog
	case "rpm":
		info.VersionMetadata = v.rpmBuild()
	case "apk":
		info.Version, info.Prerelease, info.VersionMetadata = v.apk(), "", ""
		// .PKGINFO is one "key = value" per line: pkgdesc is the summary.
		info.Description = strings.SplitN(info.Description, "\n", 2)[0]
	}
	nfpm.WithDefaults(info)

	p := packagers[format]
	path := filepath.Join(o.OutDir, p.ConventionalFileName(info))
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error { return p.Package(info, w) })
	if err != nil {
		return "", err
	}
	return path, nil
}

func file(src, dst string, mode os.FileMode) *files.Content {
	return &files.Content{
		Source:      src,
		Destination: dst,
		Type:        files.TypeFile,
		FileInfo:    &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode},
	}
}
