package verify

import (
	"fmt"
	"strings"

	"github.com/kiln-build/kiln/artifact"
)

// Record is what the manifest records of an inspection, before any run
// (Run.ExitCode -1): the format, linkage and stripping, the build info's
// Go version and CGO_ENABLED, and the verify table's signature and
// resources cells; only the no-run exit code for a nil Report (a file
// that could not be inspected).
func (r *Report) Record() artifact.VerifyResult {
	res := artifact.VerifyResult{Run: artifact.RunRecord{ExitCode: -1}}
	if r == nil {
		return res
	}
	res.Format, res.Static, res.Stripped, res.GoVersion = r.Format, r.Static, r.Stripped, r.GoVersion
	res.Cgo = r.Settings["CGO_ENABLED"] == "1"
	res.Signature, res.Resources = r.SignatureText(), r.ResourcesText()
	return res
}

// RunRecord is what the manifest records of a smoke run: it ran with Args
// and ended with ExitCode, or it did not run and NotRun says why.
func (r SmokeResult) RunRecord() artifact.RunRecord {
	return artifact.RunRecord{Ran: r.Ran, Args: r.Args, ExitCode: r.ExitCode, NotRun: r.NotRun, Via: r.Via}
}

// Record is the run record of a smoke run and, when the run asked for
// the version and exited 0, whether its output holds the release version
// (version, "v1.2.3"); the error is the run's (Err). A run that probed and
// found no version flag exiting 0, or ran arguments that ask for no
// version, records why the version was not checked; a run that did not
// happen records no version check.
func (r SmokeResult) Record(version string) (artifact.RunRecord, *artifact.VersionCheck, error) {
	run := r.RunRecord()
	if !r.Ran || r.Err != nil {
		return run, nil, r.Err
	}
	vc := &artifact.VersionCheck{Want: version}
	switch {
	case VersionArgs(r.Args) && r.ExitCode == 0:
		vc.Args, vc.Found = r.Args, VersionIn(r.Output, version)
	case r.Probed:
		vc.NotChecked = "no version flag (--version, -version) exited 0"
	default:
		vc.NotChecked = fmt.Sprintf("the smoke arguments %q ask for no version", r.Args)
	}
	return run, vc, nil
}

// VersionWarning says what is wrong with a binary's version check ("" when
// nothing is): the output of its version flag lacks the release version,
// or no version flag exited 0.
func VersionWarning(a artifact.Artifact, vc *artifact.VersionCheck) string {
	switch {
	case vc == nil:
		return ""
	case vc.NotChecked != "":
		return fmt.Sprintf("%s %s: version not checked: %s; set Verify.Args (or the binary's VerifyArgs) to the arguments that print it, e.g. [\"version\"]", a.Name, a.Platform(), vc.NotChecked)
	case vc.Found == "":
		how := "the release version is stamped nowhere kiln found"
		if a.Stamped != "" {
			how = "stamped: " + a.Stamped
		}
		return fmt.Sprintf("%s %s: `%s` does not print %s or %s (%s)", a.Name, a.Platform(), strings.Join(vc.Args, " "),
			strings.TrimPrefix(vc.Want, "v"), vc.Want, how)
	}
	return ""
}
