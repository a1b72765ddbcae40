package provenance

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// golden is the statement TestStatement writes.
func golden(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "release.intoto.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestRead: the golden statement reads back into the release that wrote
// it (Statement of what Read returns is the same bytes), and every rule
// Statement enforces is enforced on what is read.
func TestRead(t *testing.T) {
	r, err := Read(golden(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Subjects) != 4 || r.Source.Commit != strings.Repeat("c0ffee", 6)+"c0ff" || r.Internal.GoVersion != "go1.26.8" ||
		len(r.External.Binaries) != 2 || r.External.Binaries[1].Tags[0] != "netgo" || r.KilnVersion != "v0.4.0" ||
		len(r.Internal.Builds) != 2 || r.External.ModuleDir != "." || len(r.Modules) != 2 || r.StartedOn.IsZero() {
		t.Errorf("Read(golden) = %+v", r)
	}
	again, err := Statement(*r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, golden(t)) {
		t.Errorf("Statement(Read(golden)) differs from golden:\n%s", again)
	}
	if got := r.Repository(); got != "https://github.com/example/app" {
		t.Errorf("Repository() = %q", got)
	}
	r.External.Repository = ""
	if got := r.Repository(); got != "https://github.com/example/app" {
		t.Errorf("Repository() from the source URI = %q, want it without git+ and @ref", got)
	}

	bad := []struct {
		name, from, to, want string
	}{
		{"statement type", StatementType, "https://in-toto.io/Statement/v0.1", "_type"},
		{"predicate type", PredicateType, "https://slsa.dev/provenance/v0.2", "predicateType"},
		{"bad digest", "caf90169eefa5f807d577486b9f795ab86ae2983c5c20806cff959117e90af18", "CAF9", "not 64 lowercase hex"},
		{"duplicate subject", "app_1.2.3_linux_arm_7.tar.gz", "app_1.2.3_linux_amd64.tar.gz", "listed twice"},
		{"no commit", `"gitCommit"`, `"sha1"`, "not a full git hash"},
		{"not json", `"_type"`, `_type`, "not an in-toto statement"},
		{"foreign dependency", "pkg:golang/github.com/spf13/pflag", "pkg:npm/left-pad", "neither the source commit nor a Go module"},
		{"bad dirHash", "8c5cc718b18095bdebbb12c1f0c85b23a03cf80417ff6796e2a7b23595cda76a", "8c5c", "dirHash"},
		{"build without args", `"args": [`, `"argv": [`, "needs its binary, platform and arguments"},
		{"bad time", "2025-03-04T05:06:07Z", "yesterday", "startedOn"},
		{"no builder", `"id": "https://github.com/kiln-build/kiln@v0.4.0"`, `"id": ""`, "no builder id"},
	}
	for _, tt := range bad {
		in := bytes.Replace(golden(t), []byte(tt.from), []byte(tt.to), 1)
		if bytes.Equal(in, golden(t)) {
			t.Fatalf("%s: %q is not in the golden file", tt.name, tt.from)
		}
		if _, err := Read(in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Read = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// FuzzRead: a downloaded statement is untrusted; no bytes make Read
// panic, and what it accepts Statement writes again.
func FuzzRead(f *testing.F) {
	f.Add(golden(f))
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","subject":[{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Read(data)
		if err != nil {
			return
		}
		if len(r.Subjects) == 0 || r.Source.Commit == "" {
			t.Fatalf("accepted a statement without subjects or commit: %q", data)
		}
		_ = r.Repository()
		if _, err := Statement(*r); err != nil {
			t.Fatalf("Read accepted what Statement refuses: %v\n%q", err, data)
		}
	})
}
