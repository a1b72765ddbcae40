package provenance

import (
	"strings"
	"testing"
)

const (
	sumA = "caf90169eefa5f807d577486b9f795ab86ae2983c5c20806cff959117e90af18"
	sumB = "340d600392818df2413382dc7d8325c360d83ea49a262d31760348484bbc10b5"
)

func TestStatementInvalid(t *testing.T) {
	r := release(t, []byte(sumA+"  a\n"))
	r.Subjects = append(r.Subjects, Subject{Name: "a", SHA256: "xyz"}, Subject{SHA256: sumB})
	r.Source.Commit = "abc"
	r.BuilderID = ""
	r.External.Version = ""
	r.Internal.Builds = append(r.Internal.Builds, Build{Binary: "app", Platform: "linux/386"})
	r.FinishedOn = r.StartedOn.Add(-1)
	_, err := Statement(r)
	if err == nil {
		t.Fatal("Statement(invalid) = nil error")
	}
	for _, want := range []string{"subject a is listed twice", `subject a: sha256 "xyz"`, "subject 3 has no name",
		`source commit "abc"`, "no builder id", "build 3 needs its binary, platform and arguments", "no release version", "before it started"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Statement(invalid) = %v, want it to say %q", err, want)
		}
	}
	if _, err := Statement(Release{}); err == nil || !strings.Contains(err.Error(), "no subjects") {
		t.Errorf("Statement(Release{}) = %v", err)
	}
}
