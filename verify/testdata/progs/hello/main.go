// Command hello prints its arguments and exits with the code given as its
// first argument (0 without one).
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	fmt.Println("hello", os.Args[1:])
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(n)
	}
}
