// Command prog is the binary the sbom tests build: two real dependencies
// from the module proxy, one of them replaced by another version, and one
// replaced by a local directory.
package main

import (
	"fmt"
	"os"

	"example.com/local"
	"github.com/spf13/pflag"
	"golang.org/x/text/language"
)

var version = "dev"

func main() {
	name := pflag.String("name", "world", "who to greet")
	pflag.Parse()
	fmt.Fprintln(os.Stdout, local.Greeting, *name, language.English, version)
}
