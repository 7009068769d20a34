// time_now: N calls of time.Now() and the mean cost per call. Natively Go reads the
// clock through the vDSO (no kernel entry); asis gives the app no vDSO, so each call is
// two clock_gettime syscalls (wall and monotonic), patched or trapped: this row shows
// what a clock read costs.
//
// Usage: time_now [N]   (default 2000000, about 0.1 s natively; with --patch=off about
// 4-6 us per call under asis)
// Output: ns_per_op=<float> ops=<N>
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	n := 2000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "time_now: bad N:", os.Args[1])
			os.Exit(2)
		}
		n = v
	}
	start := time.Now()
	prev := start
	for i := 0; i < n; i++ {
		// Checking that the monotonic clock never goes back keeps the call from being
		// optimised away and catches a runtime that serves a broken clock.
		t := time.Now()
		if t.Before(prev) {
			fmt.Fprintln(os.Stderr, "time_now: the clock went backwards")
			os.Exit(1)
		}
		prev = t
	}
	el := prev.Sub(start)
	fmt.Printf("ns_per_op=%.1f ops=%d\n", float64(el.Nanoseconds())/float64(n), n)
}
