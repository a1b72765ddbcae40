//go:build mage

// A consumer's magefile: kiln's targets under the kiln: namespace.
package main

import (
	//mage:import kiln
	_ "github.com/kiln-build/kiln/targets"
)
