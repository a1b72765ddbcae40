//go:build mage

// kiln's own build. It imports kiln's targets too (namespaced as kiln:…),
// so `go tool mage -l` here shows what a consumer gets.
package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/magefile/mage/sh"

	//mage:import kiln
	_ "github.com/kiln-build/kiln/targets"
)

// Test runs the whole suite as CI does, installing missing system tools first.
func Test(ctx context.Context) error {
	return sh.RunV("./scripts/test.sh")
}

// Lint fails on files gofmt would change and on go vet findings.
func Lint(ctx context.Context) error {
	out, err := sh.Output("gofmt", "-l", ".")
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) != "" {
		return fmt.Errorf("not gofmt-ed:\n%s", out)
	}
	return sh.RunV("go", "vet", "./...")
}

// Bench runs the crossall and package benchmarks against their baselines.
func Bench(ctx context.Context) error {
	if err := sh.RunV("./bench/crossall.sh"); err != nil {
		return err
	}
	return sh.RunV("./bench/package.sh")
}
