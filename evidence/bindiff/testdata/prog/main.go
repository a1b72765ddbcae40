// Command bindiffprog is built twice by the bindiff tests with different
// -ldflags -X main.version, -tags, or nothing at all.
package main

import "fmt"

var version = "dev"

var extra string

func main() { fmt.Println("bindiffprog", version, extra) }
