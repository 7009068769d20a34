// syscall_loop: N calls of getppid(2), the cheapest syscall Go does not cache, and
// prints the mean cost per call. Go's syscall.Getppid is a raw syscall (no scheduler
// hand-off), so almost all of the time is the kernel entry, or under asis the trap and
// its dispatch.
//
// Usage: syscall_loop [N]   (default 2000000, about 0.2 s natively)
// Output: ns_per_op=<float> ops=<N>
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

func main() {
	n := 2000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "syscall_loop: bad N:", os.Args[1])
			os.Exit(2)
		}
		n = v
	}
	want := syscall.Getppid()
	start := time.Now()
	for i := 0; i < n; i++ {
		// Checking the result keeps the call from being optimised away and catches a
		// runtime that answers wrongly.
		if syscall.Getppid() != want {
			fmt.Fprintln(os.Stderr, "syscall_loop: getppid changed")
			os.Exit(1)
		}
	}
	el := time.Since(start)
	fmt.Printf("ns_per_op=%.1f ops=%d\n", float64(el.Nanoseconds())/float64(n), n)
}
