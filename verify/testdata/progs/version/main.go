// Command version answers -version and --version with its version, exit 0.
// Like many CLIs (syncthing), it needs a home directory to start.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	if _, err := os.UserHomeDir(); err != nil {
		panic(err)
	}
	version := flag.Bool("version", false, "print the version and exit")
	flag.Parse()
	if *version {
		fmt.Println("version 1.2.3")
		return
	}
	fmt.Println("running")
}
