//go:build mage

// A consumer's magefile: kiln's targets in the root namespace, zero config.
package main

import (
	//mage:import
	_ "github.com/kiln-build/kiln/targets"
)
