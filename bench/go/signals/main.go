// signals: N times, a nil-pointer write faults and the panic is recovered, and the mean
// cost is printed. Each round is one whole signal delivery on one thread: the CPU's
// fault, SIGSEGV to Go's handler on its signal stack (under asis: asis's host handler
// builds the kernel's frame), the handler's edit of the context (pushCall of sigpanic),
// its rt_sigreturn, and Go's panic and recover. (A signal sent with kill and received from
// an os/signal channel costs the same natively and under asis, ~50 us of goroutine
// wake-ups on this class of machine, so it would show nothing of asis.)
//
// Usage: signals [N]   (default 100000)
// Output: ns_per_fault=<float> faults=<N>
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

var target *int

func faultOnce() (recovered bool) {
	defer func() { recovered = recover() != nil }()
	*target = 1
	return false
}

func main() {
	n := 100000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "signals: bad N:", os.Args[1])
			os.Exit(2)
		}
		n = v
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		if !faultOnce() {
			fmt.Fprintln(os.Stderr, "signals: the nil write did not panic")
			os.Exit(1)
		}
	}
	el := time.Since(start)
	fmt.Printf("ns_per_fault=%.1f faults=%d\n", float64(el.Nanoseconds())/float64(n), n)
}
