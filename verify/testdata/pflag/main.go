// Command pflag is a CLI in the style of cobra programs without a version:
// GNU-style flags parsed by github.com/spf13/pflag with a -v shorthand. It
// answers --version with "unknown flag: --version", -version with "unknown
// shorthand flag: 'e' in -ersion" (both exit 2) and --help with its usage
// (exit 0).
package main

import (
	"fmt"

	flag "github.com/spf13/pflag"
)

func main() {
	verbose := flag.BoolP("verbose", "v", false, "say more")
	flag.Parse()
	if *verbose {
		fmt.Println("verbose")
	}
	fmt.Println("args", flag.Args())
}
