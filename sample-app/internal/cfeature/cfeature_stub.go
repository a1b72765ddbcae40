//go:build linux && !cgo

package cfeature

import "errors"

// Describe says which implementation is in the binary.
func Describe() string { return "stub" }

// Check fails: this build has no C component.
func Check() error { return errors.New("built with CGO_ENABLED=0: the C component is a stub") }
