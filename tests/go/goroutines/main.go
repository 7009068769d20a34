// goroutines: many goroutines on two Ps exchanging values over channels; every total is
// also computed arithmetically, so a lost or duplicated message is caught here.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

// pipeline: producers -> workers -> one consumer, over buffered and unbuffered channels.
func pipeline() {
	const producers, workers, perProducer = 8, 16, 20000
	in := make(chan int64, 64)
	out := make(chan int64) // unbuffered: every value is a rendezvous
	var prodWG, workWG sync.WaitGroup
	for p := 0; p < producers; p++ {
		prodWG.Add(1)
		go func(p int) {
			defer prodWG.Done()
			for i := 0; i < perProducer; i++ {
				in <- int64(p*perProducer + i)
			}
		}(p)
	}
	for w := 0; w < workers; w++ {
		workWG.Add(1)
		go func() {
			defer workWG.Done()
			for v := range in {
				out <- v * v % 1000003
			}
		}()
	}
	go func() { prodWG.Wait(); close(in) }()
	go func() { workWG.Wait(); close(out) }()

	var sum, count int64
	for v := range out {
		sum += v
		count++
	}
	var want int64
	for v := int64(0); v < producers*perProducer; v++ {
		want += v * v % 1000003
	}
	if count != producers*perProducer || sum != want {
		fail("pipeline: count %d sum %d, want %d %d", count, sum, producers*perProducer, want)
	}
	fmt.Printf("pipeline: %d values, sum %d\n", count, sum)
}

// counter: a mutex-protected counter and an atomic one, hammered by many goroutines.
func counter() {
	const goroutines, iters = 200, 2000
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	var atomicCounter int64
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < iters; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
				atomic.AddInt64(&atomicCounter, 1)
				if i%100 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	if counter != goroutines*iters || atomicCounter != goroutines*iters {
		fail("counter: mutex %d atomic %d, want %d", counter, atomicCounter, goroutines*iters)
	}
	fmt.Printf("counter: mutex %d, atomic %d\n", counter, atomicCounter)
}

// pingpong: two goroutines bouncing one token; the token's value counts the round trips.
func pingpong() {
	const rounds = 50000
	ping, pong := make(chan int), make(chan int)
	done := make(chan int)
	go func() {
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	go func() {
		v := 0
		for i := 0; i < rounds; i++ {
			ping <- v
			v = <-pong
		}
		close(ping)
		done <- v
	}()
	v := <-done
	if v != rounds {
		fail("pingpong: %d, want %d", v, rounds)
	}
	fmt.Printf("pingpong: %d round trips\n", v)
}

// fanIn: select over several channels until all are closed.
func fanIn() {
	const chans, each = 5, 3000
	cs := make([]chan int, chans)
	for i := range cs {
		cs[i] = make(chan int, i) // capacities 0..4
		go func(c chan int, base int) {
			for j := 0; j < each; j++ {
				c <- base + j
			}
			close(c)
		}(cs[i], i*each)
	}
	got := make([]int, chans)
	sum := 0
	open := chans
	for open > 0 {
		select {
		case v, ok := <-cs[0]:
			open, sum = recv(v, ok, 0, got, &cs[0], open, sum)
		case v, ok := <-cs[1]:
			open, sum = recv(v, ok, 1, got, &cs[1], open, sum)
		case v, ok := <-cs[2]:
			open, sum = recv(v, ok, 2, got, &cs[2], open, sum)
		case v, ok := <-cs[3]:
			open, sum = recv(v, ok, 3, got, &cs[3], open, sum)
		case v, ok := <-cs[4]:
			open, sum = recv(v, ok, 4, got, &cs[4], open, sum)
		}
	}
	n := chans * each
	if sum != n*(n-1)/2 {
		fail("fan-in: sum %d, want %d", sum, n*(n-1)/2)
	}
	fmt.Printf("fan-in: per channel %v, sum %d\n", got, sum)
}

// recv records one select result; a closed channel is set to nil so select skips it.
func recv(v int, ok bool, i int, got []int, c *chan int, open, sum int) (int, int) {
	if !ok {
		*c = nil
		return open - 1, sum
	}
	got[i]++
	return open, sum + v
}

func main() {
	prev := runtime.GOMAXPROCS(2)
	fmt.Printf("GOMAXPROCS set to %d (was >= 1: %v)\n", runtime.GOMAXPROCS(0), prev >= 1)
	pipeline()
	counter()
	pingpong()
	fanIn()
	fmt.Println("all goroutines done")
}
