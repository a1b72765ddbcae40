package release

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/pack/winres"
	"github.com/kiln-build/kiln/verify"
)

// WindowsSettings configures what kiln gives every windows binary: a
// VERSIONINFO resource (what Explorer's Properties, installers and Task
// Manager show) and an application manifest, patched into the linked
// file during the build (nothing is written into the source tree): see
// pack/winres.Settings for every field.
type WindowsSettings = winres.Settings

// WindowsManifest configures the application manifest: see
// pack/winres.Manifest for every field.
type WindowsManifest = winres.Manifest

// WindowsPlan is the resolved Windows settings.
type WindowsPlan struct {
	WindowsSettings
	// Patch: windows binaries get the VERSIONINFO and the manifest
	// (Resources is not "off").
	Patch bool
}

// resolveWindows validates the Windows settings for every binary that
// builds for windows, reporting each problem once with the setting to
// change.
func (p *Plan) resolveWindows(w WindowsSettings) error {
	p.WindowsWith = WindowsPlan{WindowsSettings: w}
	switch strings.TrimSpace(w.Resources) {
	case "", "on":
		p.WindowsWith.Patch = true
	case "off":
		return nil
	default:
		return fmt.Errorf("kiln configuration:\n  Config.Windows.Resources %q: want on (default) or off", w.Resources)
	}
	var lines []string
	for _, b := range p.Binaries {
		if !b.OnOS("windows") {
			continue
		}
		var merr *multierror.Error
		if !errors.As(p.winresOptions(b).Validate(), &merr) {
			continue
		}
		for _, err := range merr.Errors {
			line := p.windowsProblem(b, err)
			if !slices.Contains(lines, line) {
				lines = append(lines, line)
			}
		}
	}
	if len(lines) > 0 {
		return fmt.Errorf("kiln configuration: the Windows resources (Config.Windows):\n  %s", strings.Join(lines, "\n  "))
	}
	return nil
}

// windowsProblem names the setting behind one bad resource option.
func (p *Plan) windowsProblem(b Bin, err error) string {
	var fe *winres.FieldError
	if !errors.As(err, &fe) {
		return err.Error()
	}
	setting := map[string]string{
		"Version":          fmt.Sprintf("the release version %s (its git tag, KILN_VERSION or Config.Version; or Config.Windows.Resources = \"off\")", p.Version.Semver),
		"ProductName":      "Config.Project",
		"FileDescription":  "Config.Windows.Description",
		"CompanyName":      "Config.Windows.Company",
		"LegalCopyright":   "Config.Windows.Copyright",
		"OriginalFilename": fmt.Sprintf("the binary name %q", b.Name),
		"InternalName":     fmt.Sprintf("the binary name %q", b.Name),
		"Options":          "Config.Windows",
	}[fe.Field]
	if m, ok := strings.CutPrefix(fe.Field, "Manifest."); ok {
		setting = "Config.Windows.Manifest." + m
	}
	fe2 := *fe
	fe2.Field = cmp.Or(setting, fe.Field)
	return fe2.Error()
}

// winresOptions are the resources of a binary's windows builds.
func (p *Plan) winresOptions(b Bin) winres.Options {
	return p.WindowsWith.Options(p.Version.Semver, p.Project, b.Name)
}

// windowsPost is the build step that patches a binary's resources into
// its linked windows executable, before the engine records the build:
// the options are part of the build's key, so an unchanged run stays up
// to date and a changed option rebuilds. nil when resources are off.
func (p *Plan) windowsPost(b Bin) *gobuild.Post {
	if !p.WindowsWith.Patch {
		return nil
	}
	o := p.winresOptions(b)
	return &gobuild.Post{Key: o.Key(), Apply: func(_ context.Context, path string) error {
		err := winres.PatchFile(path, o)
		var fe *winres.FileError
		if errors.As(err, &fe) {
			err = fe.Err // the file is the build's temporary output; the build names the binary
		}
		switch {
		case errors.Is(err, winres.ErrHasResources):
			return fmt.Errorf("Windows resources: %w; to keep the program's own, set Config.Windows.Resources = \"off\"", err)
		case err != nil:
			return fmt.Errorf("Windows resources: %w", err)
		}
		return nil
	}}
}

// expectWindows adds to want what verify demands of a windows binary's
// resources: the release version in its VERSIONINFO and a manifest, when
// kiln patches them in.
func (p *Plan) expectWindows(want *verify.Expect) {
	if want.Platform.OS != "windows" || !p.WindowsWith.Patch {
		return
	}
	want.VersionInfo = p.Version.Semver
	want.Manifest = !p.WindowsWith.Manifest.Off
}
