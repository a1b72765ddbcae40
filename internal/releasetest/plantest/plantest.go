// Package plantest resolves release plans and runs their stages for the
// tests that drive release from outside the package (shards, reproduce,
// release's external tests), with releasetest's plan cache.
package plantest

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/kiln-build/kiln/internal/releasetest"
	"github.com/kiln-build/kiln/release"
	"github.com/kiln-build/kiln/targets/signing"
)

// Stage is one stage of a plan, as a method expression ((*release.Plan).Build)
// or a closure over a package's function.
type Stage = func(*release.Plan, context.Context) error

// Settings are the tests' settings: no run check, no image, signing with
// kiln's signer when KILN_SIGNING_KEY is set.
func Settings() release.Settings {
	return release.Settings{Verify: release.VerifySettings{NoRun: true},
		Package: release.PackageSettings{NoImage: true, Signing: signing.New()}}
}

// Cache is the tests' plan cache (releasetest.Main's) as an option.
func Cache(t testing.TB) release.Option {
	t.Helper()
	return release.WithPlanCache(releasetest.PlanCache(t))
}

// Resolve resolves the plan of s for dir with env as the whole
// environment, reporting to w, with the tests' plan cache; opts come last.
func Resolve(t testing.TB, dir string, s release.Settings, w io.Writer, env map[string]string, opts ...release.Option) (*release.Plan, error) {
	t.Helper()
	opts = append([]release.Option{release.WithDir(dir), Cache(t), release.WithOutput(w),
		release.WithEnv(func(k string) string { return env[k] })}, opts...)
	return release.Resolve(context.Background(), s, opts...)
}

// MustResolve is Resolve that fails the test on an error.
func MustResolve(t testing.TB, dir string, s release.Settings, w io.Writer, env map[string]string, opts ...release.Option) *release.Plan {
	t.Helper()
	p, err := Resolve(t, dir, s, w, env, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Run resolves the plan of Settings for dir with env (KEY=VALUE, over
// KILN_JOBS=2) and runs stage; it returns what the plan reported.
func Run(t testing.TB, dir string, env []string, stage Stage) (string, error) {
	t.Helper()
	return RunWith(t, dir, Settings(), env, stage)
}

// RunWith is Run with settings s.
func RunWith(t testing.TB, dir string, s release.Settings, env []string, stage Stage) (string, error) {
	t.Helper()
	var out bytes.Buffer
	p, err := Resolve(t, dir, s, &out, releasetest.Vars(env))
	if err != nil {
		return out.String(), err
	}
	err = stage(p, context.Background())
	return out.String(), err
}

// MustRun is Run that fails the test on an error.
func MustRun(t testing.TB, dir string, env []string, stage Stage) string {
	t.Helper()
	return MustRunWith(t, dir, Settings(), env, stage)
}

// MustRunWith is RunWith that fails the test on an error.
func MustRunWith(t testing.TB, dir string, s release.Settings, env []string, stage Stage) string {
	t.Helper()
	out, err := RunWith(t, dir, s, env, stage)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out
}
