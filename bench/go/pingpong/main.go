// pingpong: with GOMAXPROCS=2, two goroutines pass a token back and forth over two
// unbuffered channels N times and print the mean round-trip time. With two Ps the
// runtime parks and wakes threads (futex, sometimes nanosleep/sched_yield), so this
// measures the scheduler's syscall traffic as much as channel operations.
//
// Usage: pingpong [N]   (default 1000000)
// Output: ns_per_roundtrip=<float> roundtrips=<N>
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "pingpong: bad N:", os.Args[1])
			os.Exit(2)
		}
		n = v
	}
	runtime.GOMAXPROCS(2)

	ping := make(chan int)
	pong := make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()

	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		if v := <-pong; v != i+1 {
			fmt.Fprintf(os.Stderr, "pingpong: got %d want %d\n", v, i+1)
			os.Exit(1)
		}
	}
	el := time.Since(start)
	close(ping)
	<-pong
	fmt.Printf("ns_per_roundtrip=%.1f roundtrips=%d\n", float64(el.Nanoseconds())/float64(n), n)
}
