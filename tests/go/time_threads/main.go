// time_threads: the clocks behind time.Now, as threads see them. The monotonic clock
// never goes back, not even from one OS thread to another (a value published by one
// thread and read by another is never later than the reader's own next reading); it
// advances with the wall clock; time.Since and time.Until of a sleep are bounded; and
// many timers and a ticker never fire before their time. This is what a vDSO (or any
// clock not served by the host kernel directly) must get right; the timers case covers
// the plain timer API. Only properties that hold on a loaded machine are checked: lower
// bounds, and upper bounds generous enough for one; nothing that varies is printed.
package main

import (
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var failed bool

// check prints "NAME: ok", or "FAIL NAME: details" and makes the program exit 1.
func check(name string, ok bool, format string, a ...interface{}) {
	if ok {
		fmt.Printf("%s: ok\n", name)
		return
	}
	fmt.Printf("FAIL %s: %s\n", name, fmt.Sprintf(format, a...))
	failed = true
}

// slack is the generous upper bound of how long waiting for d may take on a loaded
// machine.
func slack(d time.Duration) time.Duration { return 10*d + time.Second }

func main() {
	runtime.GOMAXPROCS(4)
	crossThreadMonotonic()
	handoffMonotonic()
	sinceUntil()
	monoFollowsWall()
	tightLoop()
	strippedMonotonic()
	manyTimers()
	ticker()
	if failed {
		os.Exit(1)
	}
}

// crossThreadMonotonic: threads, each locked to its own OS thread and all running at
// once, read the monotonic clock (time.Since of one base) over and over and publish
// the latest reading (a global maximum, and each thread's own slot). A thread that has
// seen a published value and then reads the clock must not get less: a clock that
// differs between threads (or CPUs) would break this.
func crossThreadMonotonic() {
	const threads = 4
	const iterations = 100000
	base := time.Now()
	var latest int64
	var slots [threads]struct {
		v int64
		_ [56]byte // own cache line
	}
	var violations int64
	var firstBad string
	var badOnce sync.Once
	tids := make([]int, threads)
	var ready, wg sync.WaitGroup
	start := make(chan struct{})
	ready.Add(threads)
	wg.Add(threads)
	for i := 0; i < threads; i++ {
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tids[i] = syscall.Gettid()
			ready.Done()
			<-start
			own := int64(0)
			for k := 0; k < iterations; k++ {
				other := atomic.LoadInt64(&slots[(i+1+k%(threads-1))%threads].v)
				seen := atomic.LoadInt64(&latest)
				now := int64(time.Since(base))
				if now < seen || now < other || now < own {
					atomic.AddInt64(&violations, 1)
					badOnce.Do(func() {
						firstBad = fmt.Sprintf("thread %d read %d ns after seeing latest %d, other thread %d, own %d",
							i, now, seen, other, own)
					})
				}
				own = now
				atomic.StoreInt64(&slots[i].v, now)
				for {
					old := atomic.LoadInt64(&latest)
					if now <= old || atomic.CompareAndSwapInt64(&latest, old, now) {
						break
					}
				}
			}
		}(i)
	}
	ready.Wait() // every thread is locked and alive: they are distinct
	close(start)
	wg.Wait()
	distinct := map[int]bool{}
	for _, t := range tids {
		distinct[t] = true
	}
	check(fmt.Sprintf("%d locked threads are distinct", threads), len(distinct) == threads,
		"%d distinct thread ids", len(distinct))
	check("monotonic clock never goes back across threads", violations == 0,
		"%d violations; first: %s", violations, firstBad)
	check("monotonic clock advanced during the threads' readings", atomic.LoadInt64(&latest) > 0,
		"latest reading %d ns", latest)
}

// handoffMonotonic: two locked threads pass a reading back and forth over channels, so
// each wakes up (maybe on another CPU) and reads the clock right after the other did.
func handoffMonotonic() {
	const rounds = 2000
	ping := make(chan time.Time)
	pong := make(chan time.Time)
	bad := make(chan string, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for t := range ping {
			now := time.Now()
			if now.Before(t) {
				report(bad, fmt.Sprintf("receiver read %v before the sender's %v", now, t))
			}
			pong <- now
		}
		close(pong)
	}()
	runtime.LockOSThread()
	t := time.Now()
	for r := 0; r < rounds; r++ {
		ping <- t
		back := <-pong
		now := time.Now()
		if now.Before(back) {
			report(bad, fmt.Sprintf("sender read %v before the receiver's %v", now, back))
		}
		t = now
	}
	close(ping)
	<-pong
	runtime.UnlockOSThread()
	msg := ""
	select {
	case msg = <-bad:
	default:
	}
	check("monotonic clock never goes back across a thread hand-off", msg == "", "%s", msg)
}

// report sends msg unless one is waiting already: the first one is enough.
func report(c chan string, msg string) {
	select {
	case c <- msg:
	default:
	}
}

// sinceUntil: time.Since and time.Until around sleeps.
func sinceUntil() {
	for _, d := range []time.Duration{time.Millisecond, 20 * time.Millisecond, 100 * time.Millisecond} {
		start := time.Now()
		deadline := start.Add(d)
		before := time.Until(deadline)
		time.Sleep(d)
		since := time.Since(start)
		after := time.Until(deadline)
		check(fmt.Sprintf("sleep %v: time.Until before is at most %v", d, d), before <= d,
			"time.Until %v", before)
		check(fmt.Sprintf("sleep %v: time.Since is at least the sleep and below %v", d, slack(d)),
			since >= d && since < slack(d), "time.Since %v", since)
		check(fmt.Sprintf("sleep %v: time.Until after is not positive", d), after <= 0 && -after < slack(d),
			"time.Until %v", after)
	}
}

// monoFollowsWall: over a sleep, the monotonic and the wall clock advance alike. time.Now
// reads the two clocks one after the other, so a thread descheduled in between on a
// loaded machine skews one measurement: three tries, one must agree.
func monoFollowsWall() {
	const d = 200 * time.Millisecond
	const tolerance = 50 * time.Millisecond
	var tries []string
	agreed := false
	for try := 0; try < 3 && !agreed; try++ {
		t0 := time.Now()
		time.Sleep(d)
		t1 := time.Now()
		mono := t1.Sub(t0)
		wall := t1.Round(0).Sub(t0.Round(0))
		diff := mono - wall
		if diff < 0 {
			diff = -diff
		}
		agreed = diff < tolerance && mono >= d
		tries = append(tries, fmt.Sprintf("monotonic %v wall %v", mono, wall))
	}
	check(fmt.Sprintf("over a %v sleep, monotonic and wall clock agree within %v", d, tolerance),
		agreed, "%s", strings.Join(tries, "; "))
}

// tightLoop: a million time.Now calls in a row, the path a vDSO makes cheap; the
// readings never go back and the clock moves.
func tightLoop() {
	const n = 1000000
	first := time.Now()
	prev := first
	back := 0
	for i := 0; i < n; i++ {
		now := time.Now()
		if now.Before(prev) {
			back++
		}
		prev = now
	}
	check(fmt.Sprintf("%d time.Now readings in a row never go back", n), back == 0, "%d went back", back)
	check(fmt.Sprintf("%d time.Now readings in a row: the clock moved", n), prev.After(first),
		"first %v last %v", first, prev)
}

// strippedMonotonic: Round(0) strips the monotonic reading; arithmetic on a stripped
// value uses the wall clock, and the wall clock read by time.Now matches the
// monotonic reading taken with it.
func strippedMonotonic() {
	t := time.Now()
	s := t.Round(0)
	check("time.Now carries a monotonic reading", strings.Contains(t.String(), " m="), "%q", t.String())
	check("Round(0) strips the monotonic reading", !strings.Contains(s.String(), " m="), "%q", s.String())
	check("a stripped time equals the original", s.Equal(t) && t.Equal(s), "%v vs %v", s, t)
	// One side without a monotonic reading: Sub uses the wall clock, which is exact here.
	check("Sub with a stripped operand uses the wall clock", t.Sub(s.Add(-time.Hour)) == time.Hour,
		"got %v", t.Sub(s.Add(-time.Hour)))
	// Both with monotonic readings: Sub uses them, and Add moves both alike.
	check("Add keeps the monotonic reading", t.Add(-time.Hour).Sub(t) == -time.Hour &&
		strings.Contains(t.Add(time.Second).String(), " m="), "%v", t.Add(-time.Hour).Sub(t))
	time.Sleep(10 * time.Millisecond)
	u := time.Now()
	check("wall clock advances over a 10ms sleep", u.Round(0).Sub(s) >= 10*time.Millisecond-time.Millisecond,
		"wall elapsed %v", u.Round(0).Sub(s))
	check("unix time from time.Now and from gettimeofday agree", unixAgrees(), "they differ by more than 2 s")
}

// unixAgrees: time.Now's wall clock and the gettimeofday syscall give the same second
// (within 2 s, for a loaded machine), so the two paths to the wall clock agree.
func unixAgrees() bool {
	var tv syscall.Timeval
	if err := syscall.Gettimeofday(&tv); err != nil {
		return false
	}
	d := time.Now().Unix() - tv.Sec
	return d >= 0 && d <= 2
}

// manyTimers: 1000 AfterFunc callbacks with pseudo-random delays of 1 to 50 ms all run,
// none before its delay; the callbacks run on several threads and each reads the clock
// under one lock, so the readings, in the order taken, never go back.
func manyTimers() {
	const n = 1000
	rng := rand.New(rand.NewSource(6))
	var mu sync.Mutex
	var wg sync.WaitGroup
	var last time.Duration
	early, backwards := 0, 0
	firstBad := ""
	fired := make([]time.Duration, 0, n)
	start := time.Now()
	wg.Add(n)
	for i := 0; i < n; i++ {
		d := time.Duration(1+rng.Intn(50)) * time.Millisecond
		time.AfterFunc(d, func() {
			mu.Lock()
			at := time.Since(start)
			if at < d {
				early++
				if firstBad == "" {
					firstBad = fmt.Sprintf("timer of %v ran at %v", d, at)
				}
			}
			if at < last {
				backwards++
				if firstBad == "" {
					firstBad = fmt.Sprintf("reading %v after %v", at, last)
				}
			}
			last = at
			fired = append(fired, d)
			mu.Unlock()
			wg.Done()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		mu.Lock()
		check(fmt.Sprintf("%d AfterFunc timers all ran", n), false, "only %d after 30 s", len(fired))
		mu.Unlock()
		return
	}
	check(fmt.Sprintf("%d AfterFunc timers all ran", n), len(fired) == n, "%d ran", len(fired))
	check("no AfterFunc timer ran before its delay", early == 0, "%d early; %s", early, firstBad)
	check("clock readings of AfterFunc callbacks never go back", backwards == 0, "%d; %s", backwards, firstBad)
	check("AfterFunc elapsed time below the slack", last < slack(50*time.Millisecond), "last at %v", last)
	// Each timer ran once: the multiset of delays that ran is the one asked for.
	rng = rand.New(rand.NewSource(6))
	want := make([]time.Duration, n)
	for i := range want {
		want[i] = time.Duration(1+rng.Intn(50)) * time.Millisecond
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	sort.Slice(fired, func(i, j int) bool { return fired[i] < fired[j] })
	same := true
	for i := range want {
		if want[i] != fired[i] {
			same = false
		}
	}
	check("every AfterFunc timer ran exactly once", same, "the delays that ran differ from those set")
}

// ticker: a 5 ms ticker over 100 ms. Ticks may be dropped on a loaded machine, so only
// bounds that drops cannot break are checked: the tick times increase, the first is at
// least 5 ms after the start, and no more than 19 fall in the first 100 ms (tick k is
// due k*5 ms after the ticker was made and is never sent, or stamped, before that).
func ticker() {
	const period = 5 * time.Millisecond
	const span = 100 * time.Millisecond
	start := time.Now()
	tk := time.NewTicker(period)
	defer tk.Stop()
	safety := time.NewTimer(30 * time.Second)
	defer safety.Stop()
	prev := start
	ticks, inSpan := 0, 0
	increasing, firstLate := true, true
	for {
		var t time.Time
		select {
		case t = <-tk.C:
		case <-safety.C:
			check("ticker ticks", false, "%d ticks in 30 s", ticks)
			return
		}
		ticks++
		if ticks == 1 && t.Sub(start) < period {
			firstLate = false
		}
		if !t.After(prev) {
			increasing = false
		}
		prev = t
		if t.Sub(start) >= span {
			break
		}
		inSpan++
	}
	check("ticker: the first tick is at least one period after the start", firstLate, "")
	check("ticker: tick times increase", increasing, "")
	check(fmt.Sprintf("ticker: at most %d ticks within %v", span/period-1, span), inSpan <= int(span/period-1),
		"%d ticks", inSpan)
	check("ticker: the tick ending the span came in time", time.Since(start) < slack(span), "after %v", time.Since(start))
}
