package sbom

import (
	"encoding/json"
	"flag"
	"runtime/debug"
	"strings"
	"testing"
)

// TestSPDXHostile: odd build info is an SBOM or an error, never a panic,
// and Check accepts every SBOM SPDX writes for it.
func TestSPDXHostile(t *testing.T) {
	tests := []struct {
		name string
		bi   *debug.BuildInfo
	}{
		{"empty", &debug.BuildInfo{}},
		{"nil deps", &debug.BuildInfo{Deps: []*debug.Module{nil, {}, nil}}},
		{"weird versions", &debug.BuildInfo{GoVersion: "devel +abc123 Tue", Main: debug.Module{Path: "x", Version: "not a version"},
			Deps: []*debug.Module{{Path: "a@b/c", Version: "v1.0.0/../..", Sum: "h1:!!!"}, {Path: "stdlib", Version: "v9"}, {Path: "é/\x00/\"q\"", Version: "v0\n1", Sum: "h9:x"}}}},
		{"duplicate modules", &debug.BuildInfo{Deps: []*debug.Module{{Path: "a", Version: "v1"}, {Path: "a", Version: "v2"}, {Path: "a/b", Version: "v1"}, {Path: "a-b", Version: "v1"}}}},
		{"replace chains", &debug.BuildInfo{Deps: []*debug.Module{{Path: "a", Replace: &debug.Module{}}, {Path: "b", Version: "v1", Replace: &debug.Module{Path: "/abs", Version: "(devel)", Replace: &debug.Module{Path: "c"}}}}}},
		{"settings", &debug.BuildInfo{GoVersion: "go", Settings: []debug.BuildSetting{{}, {Key: "=", Value: "\n"}}}},
	}
	sum := strings.Repeat("f", 64)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := SPDX(tt.bi, FileFacts{Name: "a/b c", SHA256: sum, Created: commitTime})
			if err != nil {
				return
			}
			if !json.Valid(out) {
				t.Fatalf("SPDX wrote invalid JSON:\n%s", out)
			}
			validate(t, out)
			if err := Check(out, sum, tt.bi); err != nil {
				t.Errorf("Check(own SBOM) = %v", err)
			}
		})
	}
}

// FuzzSPDX parses arbitrary build info text, writes its SBOM and checks
// it: never a panic, and Check always accepts SPDX's own output. The seeds
// include the build info of real binaries.
func FuzzSPDX(f *testing.F) {
	f.Add(goldenInfo, "go1.26.8")
	f.Add("", "")
	f.Add("path\t\nmod\t\t\t\ndep\t\t\n=>\t\t\t\n", "go")
	// Fuzz workers get their inputs from the coordinator: only it builds.
	if w := flag.Lookup("test.fuzzworker"); !testing.Short() && (w == nil || w.Value.String() != "true") {
		for name := range builds {
			b := build(f, name)
			f.Add(b.bi.String(), b.bi.GoVersion)
		}
	}
	sum := strings.Repeat("0", 64)
	f.Fuzz(func(t *testing.T, info, goVersion string) {
		bi, err := debug.ParseBuildInfo(info)
		if err != nil {
			return
		}
		bi.GoVersion = goVersion
		out, err := SPDX(bi, FileFacts{Name: "bin", SHA256: sum, Created: commitTime})
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON for %q", info)
		}
		if err := Check(out, sum, bi); err != nil {
			t.Fatalf("Check(own SBOM of %q) = %v", info, err)
		}
	})
}
