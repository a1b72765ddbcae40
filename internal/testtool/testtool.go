// Package testtool holds helpers for tests that need system tools.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI (CI is set), where a missing
// tool is a failure rather than a reason to skip.
func InCI() bool { return os.Getenv("CI") != "" }

// Need returns the paths of the named executables. When one is missing the
// test is skipped with the reason, or fails when running in CI.
func Need(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, name := range names {
		p, err := exec.LookPath(name)
		if err != nil {
			Missing(t, name+" not found in PATH (the test command installs it)")
		}
		paths[i] = p
	}
	return paths
}

// Missing skips the test with reason, or fails it in CI.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if InCI() {
		t.Fatalf("required in CI: %s", reason)
	}
	t.Skipf("skipped: %s", reason)
}
