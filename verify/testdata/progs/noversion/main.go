// Command noversion parses its flags with the standard flag package and
// has no version flag: -version and --version fail with "flag provided but
// not defined" and exit 2; -h and --help print the usage and exit 0.
package main

import (
	"flag"
	"fmt"
)

func main() {
	name := flag.String("name", "world", "who to greet")
	flag.Parse()
	fmt.Println("hello,", *name)
}
