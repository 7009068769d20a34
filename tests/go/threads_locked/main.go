// threads_locked: 64 goroutines each locked to its own OS thread, all alive at once, so
// the runtime must create that many threads; they pass a token around a ring, and a
// locked goroutine must stay on the same thread across blocking operations. Half of them
// exit while still locked, which makes the Go runtime terminate their threads.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
)

const n = 64
const rounds = 100

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	runtime.GOMAXPROCS(4)
	ring := make([]chan int, n)
	for i := range ring {
		ring[i] = make(chan int)
	}
	tids := make([]int, n)
	started := make(chan struct{}, n)
	release := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	workSum := 0

	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			if i%2 == 0 {
				// Even ones unlock; odd ones exit locked, ending their thread.
				defer runtime.UnlockOSThread()
			}
			tid := syscall.Gettid()
			tids[i] = tid

			// Some work that cannot be optimised away.
			x := i + 1
			for k := 0; k < 100000; k++ {
				x = (x*1103515245 + 12345) % 2147483648
			}
			mu.Lock()
			workSum += x % 1000
			mu.Unlock()

			started <- struct{}{}
			<-release // all 64 hold their thread at the same time

			// The ring: goroutine 0 injects the token; each hop adds one.
			for r := 0; r < rounds; r++ {
				var v int
				if i == 0 && r == 0 {
					v = 0
				} else {
					v = <-ring[i]
				}
				ring[(i+1)%n] <- v + 1
			}
			if i == 0 { // the token's last hop comes back to 0
				v := <-ring[0]
				if v != n*rounds {
					fail("ring token %d, want %d", v, n*rounds)
				}
			}
			if now := syscall.Gettid(); now != tid {
				fail("goroutine %d moved from thread %d to %d while locked", i, tid, now)
			}
		}(i)
	}
	for i := 0; i < n; i++ {
		<-started
	}
	close(release)
	wg.Wait()

	distinct := map[int]bool{}
	for _, t := range tids {
		distinct[t] = true
	}
	if len(distinct) >= 50 {
		fmt.Println("distinct threads ok")
	} else {
		fmt.Printf("distinct threads: only %d of %d\n", len(distinct), n)
	}
	if len(distinct) != n {
		fail("%d goroutines locked at the same time shared threads: %d distinct", n, len(distinct))
	}
	fmt.Printf("ring: %d goroutines x %d rounds done\n", n, rounds)

	// The process must still be healthy after the locked threads exited: more of them.
	var wg2 sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			runtime.LockOSThread()
			_ = syscall.Gettid()
		}()
	}
	wg2.Wait()
	fmt.Printf("work checksum %d\n", workSum)
}
