// Command cgo is hello with a tiny C function: building it needs cgo.
package main

// static int add(int a, int b) { return a + b; }
import "C"

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	fmt.Println("cgo", os.Args[1:], C.add(1, 2))
	if len(os.Args) > 1 {
		n, _ := strconv.Atoi(os.Args[1])
		os.Exit(n)
	}
}
