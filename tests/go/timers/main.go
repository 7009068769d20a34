// timers: sleeps, timers, tickers and deadlines fire, fire no earlier than asked, and in
// deadline order. Only lower bounds are checked (a slow machine may be late, never early);
// the runner's timeout catches a timer that never fires.
package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

func main() {
	// time.Now is monotonic and the wall clock is plausible.
	prev := time.Now()
	monotonic := true
	for i := 0; i < 10000; i++ {
		now := time.Now()
		if now.Before(prev) {
			monotonic = false
		}
		prev = now
	}
	fmt.Printf("time.Now monotonic: %v\n", monotonic)
	fmt.Printf("wall clock after 2024: %v\n", time.Now().Year() >= 2024)

	for _, d := range []time.Duration{10 * time.Millisecond, 50 * time.Millisecond} {
		start := time.Now()
		time.Sleep(d)
		fmt.Printf("sleep %v: elapsed >= requested: %v\n", d, time.Since(start) >= d)
	}

	// time.After: the shorter of two wins.
	start := time.Now()
	select {
	case <-time.After(20 * time.Millisecond):
		fmt.Printf("time.After 20ms before 5s: true, elapsed >= 20ms: %v\n", time.Since(start) >= 20*time.Millisecond)
	case <-time.After(5 * time.Second):
		fmt.Println("time.After 20ms before 5s: false")
	}

	// A ticker delivers ticks spaced by its period.
	start = time.Now()
	tk := time.NewTicker(10 * time.Millisecond)
	ticks := 0
	for range tk.C {
		ticks++
		if ticks == 5 {
			break
		}
	}
	tk.Stop()
	fmt.Printf("ticker: %d ticks, elapsed >= 50ms: %v\n", ticks, time.Since(start) >= 50*time.Millisecond)

	// AfterFunc callbacks run in deadline order, not creation order; a stopped one never runs.
	// The deadlines lie 50 ms apart: each callback is a new goroutine, which a loaded
	// 2-core machine may start 20 ms late (seen natively).
	var mu sync.Mutex
	var order []int
	var wg sync.WaitGroup
	start = time.Now()
	for _, ms := range []int{150, 50, 100} {
		wg.Add(1)
		ms := ms
		time.AfterFunc(time.Duration(ms)*time.Millisecond, func() {
			mu.Lock()
			order = append(order, ms)
			mu.Unlock()
			wg.Done()
		})
	}
	stopped := time.AfterFunc(75*time.Millisecond, func() {
		mu.Lock()
		order = append(order, -1)
		mu.Unlock()
	})
	fmt.Printf("Stop before firing returns true: %v\n", stopped.Stop())
	wg.Wait()
	time.Sleep(20 * time.Millisecond) // the stopped one would have fired by now
	mu.Lock()
	fmt.Printf("AfterFunc order: %v, elapsed >= 150ms: %v\n", order, time.Since(start) >= 150*time.Millisecond)
	mu.Unlock()

	// Reset re-arms a timer.
	tm := time.NewTimer(time.Hour)
	start = time.Now()
	tm.Reset(15 * time.Millisecond)
	<-tm.C
	fmt.Printf("Reset timer fired, elapsed >= 15ms: %v\n", time.Since(start) >= 15*time.Millisecond)

	// context.WithTimeout ends with DeadlineExceeded after its timeout.
	start = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	<-ctx.Done()
	fmt.Printf("context: err is DeadlineExceeded: %v, elapsed >= 30ms: %v\n",
		errors.Is(ctx.Err(), context.DeadlineExceeded), time.Since(start) >= 30*time.Millisecond)

	// Cancellation wins over a far deadline.
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Hour)
	go func() { time.Sleep(5 * time.Millisecond); cancel2() }()
	<-ctx2.Done()
	fmt.Printf("context: cancel before deadline gives Canceled: %v\n", errors.Is(ctx2.Err(), context.Canceled))

	// Many concurrent sleepers all wake up.
	var wg2 sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg2.Add(1)
		go func(i int) {
			defer wg2.Done()
			time.Sleep(time.Duration(i%10) * time.Millisecond)
		}(i)
	}
	wg2.Wait()
	fmt.Println("100 concurrent sleepers woke up")
}
