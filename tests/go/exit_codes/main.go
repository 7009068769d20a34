// exit_codes: exits with the status given as its only argument.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: exit_codes STATUS")
		os.Exit(100)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad status:", err)
		os.Exit(101)
	}
	fmt.Printf("exiting with %d\n", n)
	os.Exit(n)
}
