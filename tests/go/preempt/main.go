// preempt: with one P, a goroutine spinning in a loop without calls never reaches a
// synchronous preemption point; main's 10 ms sleep can only end, and the collector only
// stop the world, if the runtime preempts the spinner asynchronously (sysmon sends it
// SIGURG and the handler redirects it via pushCall to asyncPreempt). Without signal
// delivery the program hangs until the case's timeout.
package main

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// counter is written on every iteration with an atomic store (an instruction, not a
// call), so the loop is neither removed nor given a safe point.
var counter uint64

func spin() {
	var n uint64
	for {
		n++
		atomic.StoreUint64(&counter, n)
	}
}

func main() {
	runtime.GOMAXPROCS(1)
	go spin()
	time.Sleep(10 * time.Millisecond) // the spinner runs from here on
	fmt.Println("main ran after the sleep")
	fmt.Println("spinner had run:", atomic.LoadUint64(&counter) > 0)
	runtime.GC() // stops the world: the spinner must be preempted again
	fmt.Println("GC with the spinner running done")
	before := atomic.LoadUint64(&counter)
	time.Sleep(10 * time.Millisecond)
	fmt.Println("spinner still running after preemption:", atomic.LoadUint64(&counter) > before)
	fmt.Println("main ran")
}
