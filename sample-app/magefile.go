//go:build mage

// The sample app's build: kiln's targets, imported and configured, and
// nothing else.
package main

import (
	//mage:import
	"github.com/kiln-build/kiln/targets"
)

func init() {
	// The smoke test verify runs in an empty root for every linux binary.
	targets.Config.Verify.Args = []string{"-selftest"}
	targets.Config.Package.Service = &targets.Service{
		Description: "kiln sample HTTP service",
		Args:        []string{"-addr", "127.0.0.1:8080"},
	}
}
