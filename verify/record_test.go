package verify

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kiln-build/kiln/artifact"
)

func TestRecord(t *testing.T) {
	failed := errors.New("exit 2: Go runtime panic")
	for _, tt := range []struct {
		name    string
		r       SmokeResult
		wantRun artifact.RunRecord
		wantVC  *artifact.VersionCheck
		wantErr error
	}{
		{"not run", SmokeResult{NotRun: "bwrap not found", ExitCode: -1},
			artifact.RunRecord{NotRun: "bwrap not found", ExitCode: -1}, nil, nil},
		{"failed", SmokeResult{Ran: true, Args: []string{"--version"}, ExitCode: 2, Err: failed},
			artifact.RunRecord{Ran: true, Args: []string{"--version"}, ExitCode: 2}, nil, failed},
		{"version found", SmokeResult{Ran: true, Args: []string{"--version"}, Output: "tool 1.2.3\n"},
			artifact.RunRecord{Ran: true, Args: []string{"--version"}},
			&artifact.VersionCheck{Want: "v1.2.3", Args: []string{"--version"}, Found: "1.2.3"}, nil},
		{"version missing", SmokeResult{Ran: true, Args: []string{"version"}, Output: "tool dev\n", Via: "wine"},
			artifact.RunRecord{Ran: true, Args: []string{"version"}, Via: "wine"},
			&artifact.VersionCheck{Want: "v1.2.3", Args: []string{"version"}}, nil},
		{"probed, no version flag", SmokeResult{Ran: true, Probed: true, Args: []string{"-h"}, ExitCode: 2},
			artifact.RunRecord{Ran: true, Args: []string{"-h"}, ExitCode: 2},
			&artifact.VersionCheck{Want: "v1.2.3", NotChecked: "no version flag (--version, -version) exited 0"}, nil},
		{"version flag failed", SmokeResult{Ran: true, Args: []string{"--version"}, ExitCode: 1},
			artifact.RunRecord{Ran: true, Args: []string{"--version"}, ExitCode: 1},
			&artifact.VersionCheck{Want: "v1.2.3", NotChecked: `the smoke arguments ["--version"] ask for no version`}, nil},
		{"other arguments", SmokeResult{Ran: true, Args: []string{"serve", "--check"}},
			artifact.RunRecord{Ran: true, Args: []string{"serve", "--check"}},
			&artifact.VersionCheck{Want: "v1.2.3", NotChecked: `the smoke arguments ["serve" "--check"] ask for no version`}, nil},
	} {
		run, vc, err := tt.r.Record("v1.2.3")
		if !reflect.DeepEqual(run, tt.wantRun) || !reflect.DeepEqual(vc, tt.wantVC) || err != tt.wantErr {
			t.Errorf("%s: Record = %+v, %+v, %v; want %+v, %+v, %v", tt.name, run, vc, err, tt.wantRun, tt.wantVC, tt.wantErr)
		}
	}
}

func TestVersionWarning(t *testing.T) {
	a := artifact.Artifact{Name: "tool", OS: "linux", Arch: "amd64"}
	stamped := a
	stamped.Stamped = "main.version"
	for _, tt := range []struct {
		name string
		a    artifact.Artifact
		vc   *artifact.VersionCheck
		want string
	}{
		{"no check", a, nil, ""},
		{"found", a, &artifact.VersionCheck{Want: "v1.2.3", Args: []string{"--version"}, Found: "1.2.3"}, ""},
		{"not checked", a, &artifact.VersionCheck{Want: "v1.2.3", NotChecked: "no version flag (--version, -version) exited 0"},
			`tool linux/amd64: version not checked: no version flag (--version, -version) exited 0; set Verify.Args (or the binary's VerifyArgs) to the arguments that print it, e.g. ["version"]`},
		{"missing, unstamped", a, &artifact.VersionCheck{Want: "v1.2.3", Args: []string{"version", "-s"}},
			"tool linux/amd64: `version -s` does not print 1.2.3 or v1.2.3 (the release version is stamped nowhere kiln found)"},
		{"missing, stamped", stamped, &artifact.VersionCheck{Want: "v1.2.3", Args: []string{"--version"}},
			"tool linux/amd64: `--version` does not print 1.2.3 or v1.2.3 (stamped: main.version)"},
	} {
		if got := VersionWarning(tt.a, tt.vc); got != tt.want {
			t.Errorf("%s: VersionWarning = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestReportRecord: what the manifest records of an inspection, by
// format; a file that could not be inspected records only that nothing
// ran.
func TestReportRecord(t *testing.T) {
	t.Parallel()
	if got, want := (*Report)(nil).Record(), (artifact.VerifyResult{Run: artifact.RunRecord{ExitCode: -1}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Record of no report = %+v, want %+v", got, want)
	}
	for _, tt := range []struct {
		build string
		want  artifact.VerifyResult
	}{
		{"static", artifact.VerifyResult{Format: "elf", Static: true}},
		{"static-s", artifact.VerifyResult{Format: "elf", Static: true, Stripped: true}},
		{"win-amd64", artifact.VerifyResult{Format: "pe", Static: true, Resources: "no VERSIONINFO, no manifest"}},
		{"darwin-amd64", artifact.VerifyResult{Format: "macho", Static: true, Signature: "unsigned"}},
	} {
		r, err := ReadFile(bin(t, tt.build))
		if err != nil {
			t.Fatal(err)
		}
		got := r.Record()
		tt.want.GoVersion, tt.want.Run = r.GoVersion, artifact.RunRecord{ExitCode: -1}
		if got.GoVersion == "" || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Record = %+v\nwant %+v", tt.build, got, tt.want)
		}
	}
	r, err := ReadFile(bin(t, "static"))
	if err != nil {
		t.Fatal(err)
	}
	r.Settings["CGO_ENABLED"] = "1"
	if !r.Record().Cgo {
		t.Error("Record of a cgo build: Cgo false")
	}
}
