package release

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kiln-build/kiln/matrix"
)

// TestRebuild: the second plan takes the values it is given (module,
// version, platforms, output, caches, no run check) and the fixed ones (no
// shard, whatever KILN_SHARD said; nothing signed); the first plan is left
// as it was; a platform the toolchain does not know is refused.
func TestRebuild(t *testing.T) {
	dir, clone := testModule(t), testModule(t)
	vars := map[string]string{"KILN_SHARD": "1/2", "KILN_VERSION": "1.0.0"}
	var out bytes.Buffer
	p, err := Resolve(context.Background(), Settings{}, WithDir(dir), testCache, WithOutput(&out),
		WithEnv(func(k string) string { return vars[k] }), WithBuildEnv(append(os.Environ(), "GOCACHE="+t.TempDir(), "KILN_TEST_MARK=1")))
	if err != nil {
		t.Fatal(err)
	}
	r := Rebuild{Dir: clone, Version: "v2.0.0", Platforms: []string{"linux/arm64", "windows/amd64"},
		Out: filepath.Join(t.TempDir(), "dist"), GoCache: t.TempDir(), PlanCache: t.TempDir(), NoRun: true}
	rp, err := p.Rebuild(context.Background(), r)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := []matrix.Platform{matrix.MustParse("linux/arm64"), matrix.MustParse("windows/amd64")}
	switch {
	case rp.Dir != clone || rp.Out != r.Out || rp.Version.Semver != "v2.0.0":
		t.Errorf("Rebuild: Dir %s, Out %s, version %s; want %s, %s, v2.0.0", rp.Dir, rp.Out, rp.Version.Semver, clone, r.Out)
	case !slices.Equal(rp.Platforms, want) || rp.Shard.Count != 0:
		t.Errorf("Rebuild: platforms %v, shard %v; want %v and no shard", rp.Platforms, rp.Shard, want)
	case !rp.VerifyWith.NoRun || !rp.in.unsigned:
		t.Errorf("Rebuild: NoRun %v, unsigned %v; want both", rp.VerifyWith.NoRun, rp.in.unsigned)
	case p.Shard.Count != 2 || p.Version.Semver != "v1.0.0" || p.VerifyWith.NoRun || p.in.unsigned || p.Dir != dir:
		t.Errorf("Rebuild changed the first plan: %+v", p)
	}
	var caches []string
	for _, kv := range rp.in.buildEnv {
		if strings.HasPrefix(kv, "GOCACHE=") {
			caches = append(caches, kv)
		}
	}
	if kept := slices.Contains(rp.in.buildEnv, "KILN_TEST_MARK=1"); !slices.Equal(caches, []string{"GOCACHE=" + r.GoCache}) || !kept {
		t.Errorf("Rebuild's build environment: GOCACHE entries %q, the plan's KILN_TEST_MARK kept %v; want the plan's environment with GOCACHE=%s only", caches, kept, r.GoCache)
	}

	r.Platforms = []string{"linux/nosuch"}
	if _, err := p.Rebuild(context.Background(), r); err == nil || !strings.Contains(err.Error(), "linux/nosuch") {
		t.Errorf("Rebuild for linux/nosuch = %v, want the platform refused", err)
	}
}
