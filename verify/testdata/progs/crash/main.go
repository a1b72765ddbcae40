// Command crash fails at start, whatever its arguments, the way the
// variable mode says (set with -ldflags=-X main.mode=...): "panic" panics,
// "nil" dereferences a nil pointer (a SIGSEGV panic), "kill" kills itself
// with SIGKILL, "hang" never exits.
package main

import (
	"fmt"
	"os"
	"time"
)

var mode = "panic"

func main() {
	fmt.Println("starting", os.Args[1:])
	switch mode {
	case "panic":
		panic("cannot start")
	case "nil":
		var p *int
		fmt.Println(*p)
	case "kill":
		killSelf()
	case "hang":
		time.Sleep(time.Hour)
	}
}
