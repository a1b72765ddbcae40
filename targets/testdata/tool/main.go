// Command tool is the program of the test consumers.
package main

import (
	"flag"
	"fmt"
	"runtime"
)

var version = "dev"

func main() {
	showVersion := flag.Bool("version", false, "print the version")
	flag.Parse()
	if *showVersion {
		fmt.Println(version, runtime.GOOS, runtime.GOARCH)
		return
	}
	fmt.Println("tool", version)
}
