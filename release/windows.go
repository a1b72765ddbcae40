package release

import (
	"context"
	"fmt"
	"strings"

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
	var names []string
	for _, b := range p.Binaries {
		if b.OnOS("windows") {
			names = append(names, b.Name)
		}
	}
	if lines := w.Check(p.Version.Semver, p.Project, names); len(lines) > 0 {
		return fmt.Errorf("kiln configuration: the Windows resources (Config.Windows):\n  %s", strings.Join(lines, "\n  "))
	}
	return nil
}

// windowsPost is the build step that patches a binary's resources into
// its linked windows executable, before the engine records the build:
// the options are part of the build's key, so an unchanged run stays up
// to date and a changed option rebuilds. nil when resources are off.
func (p *Plan) windowsPost(b Bin) *gobuild.Post {
	if !p.WindowsWith.Patch {
		return nil
	}
	o := p.WindowsWith.Options(p.Version.Semver, p.Project, b.Name)
	return &gobuild.Post{Key: o.Key(), Apply: func(_ context.Context, path string) error { return winres.PatchBuilt(path, o) }}
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
