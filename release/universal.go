package release

import (
	"context"
	"fmt"
	"slices"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/gobuild"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/universal"
)

// Universal macOS binaries (Settings.Universal): after a binary's
// darwin/amd64 and darwin/arm64 builds, the build stage joins them into
// one fat Mach-O at <project>_darwin_universal/<name> (pack/universal,
// byte for byte what lipo -create writes), recorded in the manifest as a
// universal-binary entry whose Key identifies the two builds it joins.
// A sharded build joins in merge, where both halves meet. Verify checks
// every slice (verify.CheckJoined); package archives it as the platform
// darwin/universal, beside the per-arch archives or alone.

// joins reports whether the plan joins b's darwin builds: Universal is on
// and b builds both darwin slices in this run.
func (p *Plan) joins(b Bin) bool {
	if p.Universal == "" {
		return false
	}
	for _, pl := range universal.Platforms {
		if !b.On(pl) || !slices.Contains(p.Platforms, pl) {
			return false
		}
	}
	return true
}

// universalOf is b's universal binary in the manifest: filed where the
// plan files it, joining the builds of this plan's identity.
func (p *Plan) universalOf(b Bin) universal.Binary {
	return universal.Binary{Name: b.Name, Path: func(pl matrix.Platform) string { return p.BinaryPath(b, pl) }, Current: p.Current}
}

// JoinUniversal joins the darwin builds of every binary the plan joins
// whose two builds are in the manifest (a shard may have one: the merge
// joins them), or finds the universal binary up to date: joined from the
// same bytes, its file intact. It saves the manifest when it changed.
func (p *Plan) JoinUniversal(ctx context.Context) error {
	var us []universal.Binary
	for _, b := range p.Binaries {
		if p.joins(b) {
			us = append(us, p.universalOf(b))
		}
	}
	if len(us) == 0 {
		if p.Universal != "" && p.Shard.Count == 0 {
			p.rep.Printf("note: Config.Universal is %s, but no binary of this run builds both darwin/amd64 and darwin/arm64: no universal macOS binary\n", p.Universal)
		}
		return nil
	}
	return universal.JoinAll(ctx, p.Out, us, func(r universal.Result) {
		res := gobuild.Result{Spec: gobuild.Spec{Name: r.Name, Platform: universal.Platform}, Status: gobuild.UpToDate,
			Size: r.Size, Duration: r.Duration}
		if r.Err != nil {
			res.Status, res.Err = gobuild.Failed, r.Err
		} else if r.Joined {
			res.Status = "joined"
		}
		p.rep.Build(res, r.Path, p.stamped(r.Name))
	})
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
		a, ok := p.universalOf(b).Joined(m)
		if !ok {
			errs = multierror.Append(errs, fmt.Errorf("%s %s: not joined (run mage crossall)", b.Name, universal.Platform))
			continue
		}
		s, err := p.ship(m, b, universal.Platform, a)
		if err != nil {
			errs = multierror.Append(errs, err)
			continue
		}
		unis = append(unis, s)
	}
	if errs != nil {
		return nil, refuse(errs)
	}
	if p.Universal == "alone" {
		ships = slices.DeleteFunc(ships, func(s shipment) bool { return p.joins(s.bin) && slices.Contains(universal.Platforms, s.pl) })
	}
	return append(ships, unis...), nil
}
