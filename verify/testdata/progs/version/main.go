// Command version answers -version and --version with its version, exit 0.
package main

import (
	"flag"
	"fmt"
)

func main() {
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *version {
		fmt.Println("version 1.2.3")
		return
	}
	fmt.Println("running")
}
