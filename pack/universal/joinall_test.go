package universal_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/artifact"
	"github.com/kiln-build/kiln/matrix"
	"github.com/kiln-build/kiln/pack/universal"
)

// TestJoinAll: the binaries of an output directory whose two builds are
// recorded are joined and saved in the manifest, one without both builds
// is skipped; a second run joins nothing; a build changed after it was
// recorded fails, named, while the other binary is still found up to
// date; a cancelled context stops before any join.
func TestJoinAll(t *testing.T) {
	amd64, arm64 := darwin(t)
	dir := t.TempDir()
	bin := func(name string) universal.Binary {
		return universal.Binary{Name: name,
			Path:    func(pl matrix.Platform) string { return "p_" + pl.OS + "_" + pl.Arch + "/" + name },
			Current: func(artifact.Artifact) string { return "" }}
	}
	tool, half := bin("tool"), bin("half")
	m := &artifact.Manifest{}
	record := func(b universal.Binary, arch, src string) {
		t.Helper()
		put(t, dir, m, src, artifact.Artifact{Path: b.Path(matrix.Platform{OS: "darwin", Arch: arch}), Kind: artifact.Binary, Name: b.Name,
			OS: "darwin", Arch: arch, Version: "v1.0.0"})
	}
	record(tool, "amd64", amd64)
	record(tool, "arm64", arm64)
	record(half, "amd64", amd64) // the other shard builds its arm64 half
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	bins := []universal.Binary{half, tool}
	run := func(ctx context.Context) ([]universal.Result, error) {
		var got []universal.Result
		err := universal.JoinAll(ctx, dir, bins, func(r universal.Result) { got = append(got, r) })
		return got, err
	}

	got, err := run(context.Background())
	if err != nil || len(got) != 1 || got[0].Name != "tool" || got[0].Path != "p_darwin_universal/tool" || !got[0].Joined || got[0].Size == 0 {
		t.Fatalf("JoinAll = %+v, %v; want tool joined, half skipped", got, err)
	}
	saved, err := artifact.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := tool.Joined(saved); !ok || a.Size != got[0].Size {
		t.Fatalf("the saved manifest's universal entry: %+v, %v", a, ok)
	}

	if got, err := run(context.Background()); err != nil || len(got) != 1 || got[0].Joined || got[0].Err != nil {
		t.Errorf("a second JoinAll = %+v, %v; want tool up to date", got, err)
	}

	if got, err := run(canceled()); err == nil || len(got) != 0 {
		t.Errorf("JoinAll with a cancelled context = %+v, %v; want its error and no join", got, err)
	}

	m = saved // with tool's universal entry
	record(half, "arm64", arm64)
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_darwin_arm64/half"), read(t, amd64), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err = run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "half darwin/universal: p_darwin_arm64/half: sha256") {
		t.Errorf("JoinAll of a build changed after it was recorded = %v, want it named", err)
	}
	if len(got) != 2 || got[0].Err == nil || got[0].Path != "p_darwin_universal/half" || got[1].Name != "tool" || got[1].Err != nil || got[1].Joined {
		t.Errorf("JoinAll results = %+v; want half failed, tool up to date", got)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
