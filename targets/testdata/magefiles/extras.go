//go:build mage

// A consumer's magefile that names an extra file outside the module.
package main

import (
	//mage:import
	"github.com/kiln-build/kiln/targets"
)

func init() {
	targets.Config.Package.Extras = []string{"../outside"}
}
