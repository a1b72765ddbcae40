package verify

import (
	"context"
	"fmt"

	"github.com/hashicorp/go-multierror"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/errlist"
)

// ResultOptions are a verify stage's decisions about one binary entry's
// run, made by the caller; the texts name the caller's settings in the
// records and messages.
type ResultOptions struct {
	// Version is the release version the version check looks for
	// ("v1.2.3").
	Version string
	// NoRun, when set, says why no binary runs (the setting that turned
	// the runs off): a linux binary records it as its reason.
	NoRun string
	// CI: a linux binary whose run check could not run fails.
	CI bool
	// RequireVersion, when set, names the setting that requires the
	// version check to pass: its warning (VersionWarning) then fails the
	// binary, naming it.
	RequireVersion string
	// Smoke are the binary's smoke-run arguments (nil Args: probe).
	Smoke SmokeOptions
	// Wine runs a windows binary unless NoRun is set; nil: it is not
	// run.
	Wine *WineStage
}

// Result is a binary entry's verify result from its check against its
// file (what Entry or JoinedEntry returned: the file, its Report, nil when
// it could not be inspected, and the problems found): the inspection's
// record (Report.Record), then a run as far as it gets: a windows binary
// under wine (WineStage.Smoke), a linux binary in an empty root (Smoke,
// strictly with the configured arguments, else probing that the program
// starts), its version checked when it asked for it and exited 0; other
// binaries record why they did not run. Every problem is in the result's
// Problems and in the error, one line joined by "; "; OK says there was
// none.
func Result(ctx context.Context, a artifact.Artifact, path string, rep *Report, inspected error, o ResultOptions) (artifact.VerifyResult, error) {
	var errs *multierror.Error
	if inspected != nil {
		errs = multierror.Append(errs, inspected)
	}
	res := rep.Record()
	switch {
	case rep == nil:
		res.Run.NotRun = "not inspected"
	case a.OS == "windows" && o.NoRun == "":
		if o.Wine == nil {
			res.Run.NotRun = "no wine stage"
			break
		}
		var runErr error
		if res.Run, runErr = o.Wine.Smoke(ctx, path, a.Platform(), o.Smoke); runErr != nil {
			errs = multierror.Append(errs, runErr)
		}
	case a.OS != "linux":
		res.Run.NotRun = "not a linux binary"
	case o.NoRun != "":
		res.Run.NotRun = o.NoRun
	default:
		var runErr error
		res.Run, res.Version, runErr = Smoke(ctx, path, a.Platform(), o.Smoke).Record(o.Version)
		if runErr != nil {
			errs = multierror.Append(errs, runErr)
		} else if !res.Run.Ran && o.CI {
			errs = multierror.Append(errs, fmt.Errorf("the run check could not run in CI: %s", res.Run.NotRun))
		}
		if w := VersionWarning(a, res.Version); w != "" && o.RequireVersion != "" {
			errs = multierror.Append(errs, fmt.Errorf("%s (%s)", w, o.RequireVersion))
		}
	}
	err := errlist.Flat(errs)
	if errs != nil {
		for _, e := range errs.Errors {
			res.Problems = append(res.Problems, e.Error())
		}
	}
	res.OK = err == nil
	return res, err
}
