package assemble

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/checksum"
)

// TestProvenanceBuilds: the statement records each shipped binary's go
// build as its manifest entry does; an entry without one (an older kiln's)
// is refused with the fix.
func TestProvenanceBuilds(t *testing.T) {
	bi, err := debug.ParseBuildInfo("path\texample.com/tool\nmod\texample.com/tool\t(devel)\t\n")
	if err != nil {
		t.Fatal(err)
	}
	bi.GoVersion = "go1.26.8"
	sum := strings.Repeat("a", 64)
	sums, err := checksum.Format([]checksum.Line{{Name: "tool_linux_amd64/tool", SHA256: sum}})
	if err != nil {
		t.Fatal(err)
	}
	pl := matrix.MustParse("linux/amd64")
	entry := artifact.Artifact{Path: "tool_linux_amd64/tool", Kind: artifact.Binary, Name: "tool", OS: "linux", Arch: "amd64", SHA256: sum,
		Args: []string{"-trimpath", "-ldflags", "-s -w -X main.version=v1.0.0", "."}, Env: []string{"GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0"}}
	r := Release{Version: "v1.0.0", Commit: strings.Repeat("c", 40), Source: Source{URI: "git+https://example.com/tool"},
		Matrix: []matrix.Platform{pl}, Binaries: []Binary{{Name: "tool", Main: "example.com/tool", Platforms: []matrix.Platform{pl}}},
		Shipped: []Shipped{{Binary: "tool", Platform: pl, Entry: entry, Info: bi}}}
	data, err := Provenance(sums, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"-s -w -X main.version=v1.0.0"`, `"CGO_ENABLED=0"`, `"platform": "linux/amd64"`, `"goVersion": "go1.26.8"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the statement lacks %s:\n%s", want, data)
		}
	}
	r.Shipped[0].Entry.Args = nil
	if _, err := Provenance(sums, r); err == nil || !strings.Contains(err.Error(), "records no go build") {
		t.Errorf("Provenance of an entry without its build = %v, want a refusal", err)
	}
}
