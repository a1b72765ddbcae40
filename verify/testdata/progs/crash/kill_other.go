//go:build !unix

package main

import "os"

// killSelf ends the process abruptly where there are no signals.
func killSelf() { os.Exit(137) }
