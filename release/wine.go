package release

import (
	"context"
	"fmt"
	"os"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/verify"
)

// wineRuns is verify's runner of windows/amd64 binaries under wine for one
// verify stage: the runner, or why there is none.
type wineRuns struct {
	wine   *verify.Wine
	notRun string
}

// prepareWine makes the wine runner when verify runs windows/amd64
// binaries of bins (Settings.Verify.Windows not "off", runs on): it
// installs wine's tools first when the plan may (Toolchains "install"),
// then sets the prefix up, once, and says what the creation cost. The
// prefix is shared by every kiln run of the user and never closed here.
func (p *Plan) prepareWine(ctx context.Context, bins []artifact.Artifact) (*wineRuns, error) {
	wr := &wineRuns{}
	if p.VerifyWith.NoRun {
		return wr, nil
	}
	if p.VerifyWith.Windows == "off" {
		wr.notRun = "Config.Verify.Windows is off (KILN_WINE)"
		return wr, nil
	}
	need := false
	for _, a := range bins {
		need = need || a.OS == "windows" && a.Arch == "amd64"
	}
	if !need {
		return wr, nil
	}
	if err := p.tools.ForWine(ctx, os.Getenv("PATH")); err != nil {
		return nil, err
	}
	prefix := p.VerifyWith.WinePrefix
	if prefix == "" {
		var err error
		if prefix, err = verify.DefaultWinePrefix(); err != nil {
			wr.notRun = err.Error() + ": set Config.Verify.WinePrefix or KILN_WINEPREFIX"
			return wr, nil
		}
	}
	wr.wine = verify.NewWine(prefix)
	if why := wr.wine.Setup(ctx); why == "" && wr.wine.Created() > 0 {
		p.rep.Printf("wine: created the wine prefix %s in %.1fs (once: later runs reuse it)\n", prefix, wr.wine.Created().Seconds())
	}
	return wr, nil
}

// run runs a windows binary's smoke check under wine. With
// Settings.Verify.Windows "run" a windows/amd64 binary that wine did not
// run fails verify, with the reason.
func (wr *wineRuns) run(ctx context.Context, p *Plan, real string, a artifact.Artifact) (artifact.RunRecord, error) {
	if wr.wine == nil {
		return artifact.RunRecord{ExitCode: -1, NotRun: wr.notRun}, nil
	}
	rr := wr.wine.Smoke(ctx, real, a.Platform(), p.smokeOptions(a))
	rec := artifact.RunRecord{Ran: rr.Ran, Args: rr.Args, ExitCode: rr.ExitCode, NotRun: rr.NotRun, Via: rr.Via}
	if rr.Err != nil {
		return rec, rr.Err
	}
	if !rr.Ran && p.VerifyWith.Windows == "run" && a.Arch == "amd64" {
		return rec, fmt.Errorf("the run under wine is required (Config.Verify.Windows = \"run\", KILN_WINE) but could not run: %s", rr.NotRun)
	}
	return rec, nil
}
