package verify

import (
	"context"
	"fmt"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/matrix"
)

// WineStage runs the windows binaries of one verify stage under wine: one
// Wine, its prefix set up once and shared by every binary, or why none
// runs. The prefix is shared by every run of the user and never closed
// here.
type WineStage struct {
	wine    *Wine
	notRun  string
	require string
}

// WineStageOptions are a verify stage's decisions about wine, made by the
// caller; the texts name the caller's settings in the messages.
type WineStageOptions struct {
	// Off, when set, says why no windows binary runs under wine: nothing
	// is prepared, and each run records Off as its reason.
	Off string
	// Prefix is the wine prefix; "" is DefaultWinePrefix. When there is
	// none, no binary runs, and the reason ends with PrefixHint: what to
	// set instead.
	Prefix, PrefixHint string
	// Require, when set, names the setting that requires the runs: a
	// windows/amd64 binary wine could not run then fails, with the reason.
	Require string
	// Install installs wine's tools before the prefix is set up; nil:
	// nothing is installed.
	Install func(ctx context.Context) error
	// Printf reports what creating the prefix cost; nil: nothing is
	// reported.
	Printf func(format string, args ...any)
}

// PrepareWine prepares the wine runs of a verify stage whose binaries are
// for platforms: when one is windows/amd64 and runs are not Off, it
// installs wine's tools (Install) and sets the prefix up, once, reporting
// its creation. An error is Install's; a prefix that cannot be set up is
// a reason each run records.
func PrepareWine(ctx context.Context, platforms []matrix.Platform, o WineStageOptions) (*WineStage, error) {
	s := &WineStage{require: o.Require}
	if o.Off != "" {
		s.notRun = o.Off
		return s, nil
	}
	need := false
	for _, pl := range platforms {
		need = need || pl.OS == "windows" && pl.Arch == "amd64"
	}
	if !need {
		return s, nil
	}
	if o.Install != nil {
		if err := o.Install(ctx); err != nil {
			return nil, err
		}
	}
	prefix := o.Prefix
	if prefix == "" {
		var err error
		if prefix, err = DefaultWinePrefix(); err != nil {
			s.notRun = err.Error()
			if o.PrefixHint != "" {
				s.notRun += ": " + o.PrefixHint
			}
			return s, nil
		}
	}
	s.wine = NewWine(prefix)
	if why := s.wine.Setup(ctx); why == "" && s.wine.Created() > 0 && o.Printf != nil {
		o.Printf("wine: created the wine prefix %s in %.1fs (once: later runs reuse it)\n", prefix, s.wine.Created().Seconds())
	}
	return s, nil
}

// Smoke runs a windows binary's smoke check under wine (Wine.Smoke) and
// returns its run record. With Require set, a windows/amd64 binary that
// wine did not run fails, with the reason.
func (s *WineStage) Smoke(ctx context.Context, path string, p matrix.Platform, opts SmokeOptions) (artifact.RunRecord, error) {
	if s.wine == nil {
		return artifact.RunRecord{ExitCode: -1, NotRun: s.notRun}, nil
	}
	rr := s.wine.Smoke(ctx, path, p, opts)
	rec := rr.RunRecord()
	if rr.Err != nil {
		return rec, rr.Err
	}
	if !rr.Ran && s.require != "" && p.Arch == "amd64" {
		return rec, fmt.Errorf("the run under wine is required (%s) but could not run: %s", s.require, rr.NotRun)
	}
	return rec, nil
}
