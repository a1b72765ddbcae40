package targets_test

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/internal/testtool"
)

// threePlatforms is the matrix of the consumer tests: one per binary format.
const threePlatforms = "linux/amd64,windows/amd64,darwin/arm64"

var (
	toolOnce sync.Once
	toolDir  string
)

// toolConsumer returns the shared consumer example.com/tool/v2 (binary
// name "tool") whose magefile imports the targets into the root
// namespace. Tests that build into it use their own KILN_OUT unless they
// only read dist/.
func toolConsumer(t *testing.T) *consumer {
	t.Helper()
	toolOnce.Do(func() {
		dir := filepath.Join(tmpRoot, "tool")
		newConsumer(t, dir, "example.com/tool/v2", map[string]string{
			"main.go": "tool/main.go", "magefile.go": "magefiles/root.go"})
		toolDir = dir
	})
	if toolDir == "" {
		t.Fatal("the shared consumer could not be made (see the first test that asked for it)")
	}
	return &consumer{t: t, dir: toolDir}
}

// targetNames parses the target names of `mage -l`, lowercased.
func targetNames(out string) []string {
	var names []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(l, "Targets:"):
			in = true
		case in && strings.HasPrefix(l, "  "):
			f := strings.Fields(l)
			names = append(names, strings.ToLower(strings.TrimSuffix(f[0], "*")))
		case in && strings.TrimSpace(l) != "":
			in = false
		}
	}
	slices.Sort(names)
	return names
}

// platformLines returns the platforms of the per-platform lines of a
// crossall run with the given status ("built", "up to date").
func platformLines(out, status string) []string {
	var ps []string
	for _, l := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), status+" ")
		if !ok {
			continue
		}
		if f := strings.Fields(rest); len(f) > 0 && strings.Contains(f[0], "/") {
			ps = append(ps, f[0])
		}
	}
	slices.Sort(ps)
	return ps
}

func sorted(s string) []string {
	ps := strings.Split(s, ",")
	slices.Sort(ps)
	return ps
}

// TestImportRoot: a magefile that //mage:import's the targets gets exactly
// kiln's targets; crossall builds the matrix into dist/ and records every
// binary; a second run relinks nothing; verify passes and prints its table.
func TestImportRoot(t *testing.T) {
	c := toolConsumer(t)

	t.Run("list", func(t *testing.T) {
		c := &consumer{t: t, dir: c.dir}
		out := c.ok(nil, "-l")
		want := []string{"build", "clean", "cross", "crossall", "matrix", "merge", "package", "reproduce", "shards", "static", "verify"}
		if got := targetNames(out); !slices.Equal(got, want) {
			t.Errorf("mage -l lists %q, want exactly %q\n%s", got, want, out)
		}
	})

	env := []string{"KILN_MATRIX=" + threePlatforms}
	t.Run("crossall", func(t *testing.T) {
		c := &consumer{t: t, dir: c.dir}
		out := c.ok(env, "crossall")
		if got, want := platformLines(out, "built"), sorted(threePlatforms); !slices.Equal(got, want) {
			t.Errorf("built %q, want %q\n%s", got, want, out)
		}
		m := c.manifest("dist")
		bins := map[string]string{
			"tool_linux_amd64/tool":       "linux/amd64",
			"tool_windows_amd64/tool.exe": "windows/amd64",
			"tool_darwin_arm64/tool":      "darwin/arm64",
		}
		for path, pl := range bins {
			c.checkRecorded(m, "dist", path, artifact.Binary)
			if a, _ := find(m, path); a.Platform().String() != pl || a.Name != "tool" {
				t.Errorf("%s: recorded as %s named %q, want %s named tool", path, a.Platform(), a.Name, pl)
			}
		}
		if n := len(m.Filter(artifact.ByKind(artifact.Binary))); n != len(bins) {
			t.Errorf("manifest has %d binaries, want %d", n, len(bins))
		}
	})

	t.Run("up to date", func(t *testing.T) {
		c := &consumer{t: t, dir: c.dir}
		before, _ := fileSum(t, c.path("dist", "tool_linux_amd64", "tool"))
		out := c.ok(env, "crossall")
		if got, want := platformLines(out, "up to date"), sorted(threePlatforms); !slices.Equal(got, want) {
			t.Errorf("second run: up to date %q, want %q\n%s", got, want, out)
		}
		if built := platformLines(out, "built"); len(built) > 0 {
			t.Errorf("second run rebuilt %q", built)
		}
		if after, _ := fileSum(t, c.path("dist", "tool_linux_amd64", "tool")); after != before {
			t.Error("second run changed the linux binary")
		}
	})

	t.Run("verify", func(t *testing.T) {
		c := &consumer{t: t, dir: c.dir}
		out := c.ok(nil, "verify")
		for _, w := range []string{"PLATFORM", "STATIC", "linux/amd64", "windows/amd64", "darwin/arm64", "verify: 3 binaries ok"} {
			if !strings.Contains(out, w) {
				t.Errorf("verify output lacks %q:\n%s", w, out)
			}
		}
		m := c.manifest("dist")
		for _, a := range m.Filter(artifact.ByKind(artifact.Binary)) {
			if a.Verify == nil || !a.Verify.OK || !a.Verify.Static {
				t.Errorf("%s: verify result %+v, want ok and static", a.Path, a.Verify)
			}
		}
		// The linux binary ran in an empty root.
		testtool.Need(t, "bwrap")
		if a, _ := find(m, "tool_linux_amd64/tool"); a.Verify == nil || !a.Verify.Run.Ran || a.Verify.Run.ExitCode != 0 {
			t.Errorf("linux/amd64: verify result %+v, want ran ok (exit 0)", a.Verify)
		}
	})

	t.Run("shards", func(t *testing.T) {
		c := &consumer{t: t, dir: c.dir}
		// crossall of each shard (up to date from above) ...
		var got []string
		for _, sh := range []string{"1/2", "2/2"} {
			out := c.ok(append(env, "KILN_SHARD="+sh), "crossall")
			got = append(got, platformLines(out, "up to date")...)
			got = append(got, platformLines(out, "built")...)
		}
		slices.Sort(got)
		if want := sorted(threePlatforms); !slices.Equal(got, want) {
			t.Errorf("shards 1/2 and 2/2 built %q, want each of %q once", got, want)
		}
		// ... and of the default matrix, as the matrix target lists it.
		var all []string
		for _, sh := range []string{"", "1/2", "2/2"} {
			var e []string
			if sh != "" {
				e = []string{"KILN_SHARD=" + sh}
			}
			ps := matrixLines(c.ok(e, "matrix"))
			if sh == "" {
				if len(ps) != 7 {
					t.Fatalf("default matrix: %q, want 7 platforms", ps)
				}
				all = ps
				got = nil
				continue
			}
			got = append(got, ps...)
		}
		slices.Sort(got)
		if !slices.Equal(got, all) {
			t.Errorf("matrix shards 1/2 + 2/2 = %q, want each of %q once", got, all)
		}
	})

	t.Run("bad environment", func(t *testing.T) {
		c := &consumer{t: t, dir: c.dir}
		c.fails([]string{"KILN_MATRIX=linux/amd65"}, []string{"crossall"}, "KILN_MATRIX", "did you mean linux/amd64")
		c.fails([]string{"KILN_JOBS=0"}, []string{"crossall"}, "KILN_JOBS")
		c.fails([]string{"KILN_SHARD=4/3"}, []string{"crossall"}, "KILN_SHARD")
		c.fails(nil, []string{"cross", "linux/amd65"}, "did you mean linux/amd64")
		c.fails([]string{"KILN_VERSION=banana"}, []string{"crossall"}, "KILN_VERSION", "not semver")
		// Every bad value at once, not only the first.
		c.fails([]string{"KILN_JOBS=x", "KILN_CGO=maybe", "KILN_STATIC=perhaps"}, []string{"crossall"},
			"KILN_JOBS", "KILN_CGO", "KILN_STATIC")
	})
}

// matrixLines returns the platforms the matrix target lists.
func matrixLines(out string) []string {
	var ps []string
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "  ") {
			continue
		}
		if f := strings.Fields(l); len(f) > 0 && strings.Count(f[0], "/") >= 1 {
			ps = append(ps, f[0])
		}
	}
	slices.Sort(ps)
	return ps
}

// TestImportAlias: `//mage:import kiln` puts every target under kiln:.
func TestImportAlias(t *testing.T) {
	c := newConsumer(t, filepath.Join(t.TempDir(), "alias"), "example.com/alias", map[string]string{
		"main.go": "tool/main.go", "magefile.go": "magefiles/alias.go"})
	out := c.ok(nil, "-l")
	var want []string
	for _, n := range []string{"build", "clean", "cross", "crossall", "matrix", "merge", "package", "reproduce", "shards", "static", "verify"} {
		want = append(want, "kiln:"+n)
	}
	if got := targetNames(out); !slices.Equal(got, want) {
		t.Errorf("mage -l lists %q, want exactly %q\n%s", got, want, out)
	}
	out = c.ok(nil, "kiln:cross", "linux/arm64")
	if got := platformLines(out, "built"); !slices.Equal(got, []string{"linux/arm64"}) {
		t.Errorf("kiln:cross linux/arm64 built %q\n%s", got, out)
	}
	m := c.manifest("dist")
	c.checkRecorded(m, "dist", "alias_linux_arm64/alias", artifact.Binary)
	if n := len(m.Artifacts); n != 1 {
		t.Errorf("manifest has %d artifacts, want 1", n)
	}
}
