package release

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/internal/errlist"
	"github.com/kiln-build/kiln/internal/safefile"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/checksum"
	"github.com/kiln-build/kiln/pack/universal"
	"github.com/kiln-build/kiln/verify"
)

// Universal macOS binaries (Settings.Universal): after a binary's
// darwin/amd64 and darwin/arm64 builds, the build stage joins them into
// one fat Mach-O at <project>_darwin_universal/<name> (pack/universal,
// byte for byte what lipo -create writes), recorded in the manifest as a
// universal-binary entry whose Key identifies the two builds it joins.
// A sharded build joins in merge, where both halves meet. Verify checks
// every slice (verify.CheckSlices); package archives it as the platform
// darwin/universal, beside the per-arch archives or alone.

var (
	// darwinSlices are the platforms a universal binary joins.
	darwinSlices = []matrix.Platform{{OS: "darwin", Arch: "amd64"}, {OS: "darwin", Arch: "arm64"}}
	// universalPlatform files the universal binary: darwin_universal.
	universalPlatform = matrix.Platform{OS: "darwin", Arch: "universal"}
)

// joins reports whether the plan joins b's darwin builds: Universal is on
// and b builds both darwin slices in this run.
func (p *Plan) joins(b Bin) bool {
	if p.Universal == "" {
		return false
	}
	for _, pl := range darwinSlices {
		if !b.On(pl) || !slices.Contains(p.Platforms, pl) {
			return false
		}
	}
	return true
}

// built reports whether an entry is a binary the build stage writes: a
// build, or a universal binary joining two.
func built(a artifact.Artifact) bool {
	return a.Kind == artifact.Binary || a.Kind == artifact.Universal
}

// entry is the manifest's entry at path.
func entry(m *artifact.Manifest, path string) (artifact.Artifact, bool) {
	for _, a := range m.Artifacts {
		if a.Path == path {
			return a, true
		}
	}
	return artifact.Artifact{}, false
}

// joinKey identifies a universal binary by the builds it joins.
func joinKey(slices []artifact.Artifact) string {
	h := sha256.New()
	fmt.Fprintf(h, "kiln-universal-1\n")
	for _, a := range slices {
		fmt.Fprintf(h, "%s %s\n", a.Platform(), a.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sliceEntries returns b's current darwin entries in darwinSlices order,
// or why they cannot be joined.
func (p *Plan) sliceEntries(m *artifact.Manifest, b Bin) ([]artifact.Artifact, string) {
	var out []artifact.Artifact
	for _, pl := range darwinSlices {
		a, ok := entry(m, p.BinaryPath(b, pl))
		if !ok || a.Kind != artifact.Binary {
			return nil, fmt.Sprintf("%s %s is not built", b.Name, pl)
		}
		if why := p.Current(a); why != "" {
			return nil, fmt.Sprintf("%s %s: %s", b.Name, pl, why)
		}
		out = append(out, a)
	}
	return out, ""
}

// JoinUniversal joins the darwin builds of every binary the plan joins
// whose two builds are in the manifest (a shard may have one: the merge
// joins them), or finds the universal binary up to date: joined from the
// same bytes, its file intact. It saves the manifest when it changed.
func (p *Plan) JoinUniversal(ctx context.Context) error {
	var bins []Bin
	for _, b := range p.Binaries {
		if p.joins(b) {
			bins = append(bins, b)
		}
	}
	if len(bins) == 0 {
		if p.Universal != "" && p.Shard.Count == 0 {
			p.rep.Printf("note: Config.Universal is %s, but no binary of this run builds both darwin/amd64 and darwin/arm64: no universal macOS binary\n", p.Universal)
		}
		return nil
	}
	m, err := artifact.Load(p.Out)
	if err != nil {
		return err
	}
	var errs *multierror.Error
	changed := false
	for _, b := range bins {
		if err := ctx.Err(); err != nil {
			return err
		}
		parts, why := p.sliceEntries(m, b)
		if why != "" {
			continue // a failed build (reported) or the other shard's half
		}
		start := time.Now()
		a, joined, err := p.joinOne(m, b, parts)
		res := gobuild.Result{Spec: gobuild.Spec{Name: b.Name, Platform: universalPlatform}, Status: gobuild.UpToDate,
			Size: a.Size, Duration: time.Since(start)}
		if err != nil {
			res.Status, res.Err = gobuild.Failed, err
			errs = multierror.Append(errs, fmt.Errorf("%s %s: %w", b.Name, universalPlatform, err))
		} else if joined {
			res.Status = "joined"
			m.Put(a)
			changed = true
		}
		p.rep.Build(res, a.Path, p.stamped(b.Name))
	}
	if changed {
		if err := m.Save(p.Out); err != nil {
			return multierror.Append(errs, err)
		}
	}
	return errs.ErrorOrNil()
}

// joinOne joins b's slices unless the manifest's universal entry already
// joins these bytes and its file is intact; joined reports a new file.
func (p *Plan) joinOne(m *artifact.Manifest, b Bin, parts []artifact.Artifact) (a artifact.Artifact, joined bool, err error) {
	rel := p.BinaryPath(b, universalPlatform)
	key := joinKey(parts)
	if old, ok := entry(m, rel); ok && old.Kind == artifact.Universal && old.Key == key && p.Current(old) == "" {
		if got, err := artifact.Describe(p.Out, old); err == nil && got.SHA256 == old.SHA256 && got.Size == old.Size {
			return old, false, nil
		}
	}
	data := make([][]byte, len(parts))
	for i, s := range parts {
		if data[i], err = readChecked(p.Out, s); err != nil {
			return artifact.Artifact{Path: rel}, false, err
		}
	}
	root, err := safefile.OpenRoot(p.Out)
	if err != nil {
		return artifact.Artifact{Path: rel}, false, err
	}
	defer root.Close()
	err = root.WriteAtomic(rel, 0o755, func(w io.Writer) error {
		_, err := universal.Join(w, data...)
		return err
	})
	if err != nil {
		return artifact.Artifact{Path: rel}, false, err
	}
	amd, arm := parts[0], parts[1]
	a, err = artifact.Describe(p.Out, artifact.Artifact{Path: rel, Kind: artifact.Universal, Name: b.Name,
		OS: universalPlatform.OS, Arch: universalPlatform.Arch, Main: amd.Main, Version: amd.Version, Commit: amd.Commit,
		Key: key, Cgo: amd.Cgo && arm.Cgo, Static: amd.Static && arm.Static, Tags: commonTags(amd.Tags, arm.Tags)})
	return a, err == nil, err
}

// readChecked reads the file of an entry, refusing bytes other than the
// ones it records: the bytes joined are the bytes checked.
func readChecked(dir string, a artifact.Artifact) ([]byte, error) {
	f, err := artifact.Open(dir, a)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, universal.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.Path, err)
	}
	if sum, size, _ := checksum.Sum(bytes.NewReader(data)); sum != a.SHA256 || size != a.Size {
		return nil, fmt.Errorf("%s: sha256 %s does not match the manifest's %s: the file changed after it was built (run crossall again)", a.Path, sum, a.SHA256)
	}
	return data, nil
}

// commonTags are the tags both builds have.
func commonTags(a, b []string) []string {
	var out []string
	for _, t := range a {
		if slices.Contains(b, t) {
			out = append(out, t)
		}
	}
	return out
}

// universalEntries returns the manifest's universal binaries that are this
// plan's, saying why the others are skipped.
func (p *Plan) universalEntries(m *artifact.Manifest) []artifact.Artifact {
	var out []artifact.Artifact
	for _, a := range m.Filter(artifact.ByKind(artifact.Universal)) {
		why := p.Current(a)
		if why == "" {
			why = "universal macOS binaries are off (Config.Universal, KILN_UNIVERSAL)"
			for _, b := range p.Binaries {
				if b.Name == a.Name && p.joins(b) {
					why = ""
				}
			}
		}
		if why != "" {
			p.rep.Printf("  skipped %s: %s\n", a.Path, why)
			continue
		}
		out = append(out, a)
	}
	return out
}

// inspectEntry is inspect for any binary entry: a universal one is
// checked slice by slice against the builds it claims to join.
func (p *Plan) inspectEntry(m *artifact.Manifest, a artifact.Artifact) (string, *verify.Report, error) {
	if a.Kind != artifact.Universal {
		return p.inspect(a)
	}
	var b Bin
	for _, c := range p.Binaries {
		if c.Name == a.Name {
			b = c
		}
	}
	parts, why := p.sliceEntries(m, b)
	if why == "" && joinKey(parts) != a.Key {
		why = "it joins other builds of darwin/amd64 and darwin/arm64 than the manifest's"
	}
	if why != "" {
		return "", nil, fmt.Errorf("universal binary: %s (run mage crossall)", why)
	}
	real, rep, errs := p.readEntry(a)
	if rep == nil {
		return real, nil, errs.ErrorOrNil()
	}
	want := verify.Expect{Static: parts[0].Static && parts[1].Static, Tags: a.Tags}
	if parts[0].Cgo == parts[1].Cgo {
		want.Cgo = &parts[0].Cgo
	}
	if err := verify.CheckSlices(rep, want, darwinSlices); err != nil {
		errs = multierror.Append(errs, err)
	}
	for _, s := range rep.Slices {
		if s.Main != "" && s.Main != a.Main {
			errs = multierror.Append(errs, &verify.MismatchError{What: s.Arch + " slice's build info main package", Got: s.Main, Want: a.Main})
		}
	}
	return real, rep, errlist.Flat(errs)
}

// universalShipments adds the universal binaries to ships, each checked
// like the builds it joins (this plan's, joined from the builds in the
// manifest, unchanged, verified); with Universal "alone" the darwin
// builds of those binaries leave the release (not archived, listed or
// described), their universal binary ships instead.
func (p *Plan) universalShipments(m *artifact.Manifest, ships []shipment) ([]shipment, error) {
	var unis []shipment
	var errs *multierror.Error
	for _, b := range p.Binaries {
		if !p.joins(b) {
			continue
		}
		where := b.Name + " " + universalPlatform.String()
		a, ok := entry(m, p.BinaryPath(b, universalPlatform))
		if !ok || a.Kind != artifact.Universal {
			errs = multierror.Append(errs, fmt.Errorf("%s: not joined (run mage crossall)", where))
			continue
		}
		if why := p.Current(a); why != "" {
			errs = multierror.Append(errs, fmt.Errorf("%s: %s (run mage crossall)", where, why))
			continue
		}
		real, _, err := p.inspectEntry(m, a)
		if err == nil {
			err = verified(a)
		}
		if err != nil {
			errs = multierror.Append(errs, fmt.Errorf("%s: %w", where, err))
			continue
		}
		unis = append(unis, shipment{bin: b, pl: universalPlatform, a: a, real: real})
	}
	if errs != nil {
		errs.ErrorFormat = func(es []error) string { return errlist.Listed("package: refusing to package", es) }
		return nil, errs
	}
	if p.Universal == "alone" {
		ships = slices.DeleteFunc(ships, func(s shipment) bool { return p.joins(s.bin) && slices.Contains(darwinSlices, s.pl) })
	}
	return append(ships, unis...), nil
}
