// syscall_storm: goroutines making many cheap syscalls at once (getppid, getpid, a pipe
// write and read, the clock, Gosched), a stream through an os.Pipe (the netpoller), a
// 1 ms ticker, forced collections and a spinning goroutine that only asynchronous
// preemption (SIGURG) can stop, for about a second natively. Under binary patching
// these are the hot sites (Syscall6, rawSyscallNoError, futex, usleep, nanotime) with
// signals landing around them all the time. Every total is fixed by the program, so
// only counts, checksums and booleans are printed.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	workers      = 4
	iterations   = 200000  // per worker
	streamBytes  = 4 << 20 // through the os.Pipe
	streamChunk  = 4096
	forcedGCs    = 20
	goschedEvery = 16
)

func fail(format string, a ...interface{}) {
	fmt.Printf("FAIL: "+format+"\n", a...)
	os.Exit(1)
}

type workerResult struct {
	ppidWrong, pidWrong, pipeWrong, clockBack int
	bytes, sum                                uint64
	gosched                                   int
}

// worker makes the cheap syscalls, checking each answer.
func worker(id int, ppid, pid int, res *workerResult) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		fail("pipe2: %v", err)
	}
	defer syscall.Close(p[0])
	defer syscall.Close(p[1])
	out := make([]byte, 1)
	in := make([]byte, 8)
	prev := time.Now()
	for i := 0; i < iterations; i++ {
		if syscall.Getppid() != ppid {
			res.ppidWrong++
		}
		if os.Getpid() != pid {
			res.pidWrong++
		}
		out[0] = byte(i*7 + id)
		n, err := syscall.Write(p[1], out)
		if n != 1 || err != nil {
			res.pipeWrong++
		}
		n, err = syscall.Read(p[0], in)
		if n != 1 || err != nil || in[0] != out[0] {
			res.pipeWrong++
		} else {
			res.bytes++
			res.sum += uint64(in[0])
		}
		now := time.Now()
		if now.Before(prev) {
			res.clockBack++
		}
		prev = now
		if i%goschedEvery == 0 {
			runtime.Gosched()
			res.gosched++
		}
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(1)
	for i := range b {
		x = x*1103515245 + 12345
		b[i] = byte(x >> 16)
	}
	return b
}

// stream writes a fixed pattern through an os.Pipe in chunks from one goroutine and
// reads it in another: reads wait in the netpoller (epoll) for the writer.
func stream() (int64, string) {
	r, w, err := os.Pipe()
	if err != nil {
		fail("os.Pipe: %v", err)
	}
	data := pattern(streamBytes)
	go func() {
		for off := 0; off < len(data); off += streamChunk {
			if _, err := w.Write(data[off : off+streamChunk]); err != nil {
				fail("stream write: %v", err)
			}
		}
		w.Close()
	}()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		fail("stream read: %v", err)
	}
	r.Close()
	return n, fmt.Sprintf("%x", h.Sum(nil)[:8])
}

// spinner runs until stop is set, never reaching a synchronous safe point: sysmon and
// every stop-the-world must preempt it with SIGURG.
var stop, spins uint64

func spinner(done chan<- struct{}) {
	var n uint64
	for atomic.LoadUint64(&stop) == 0 {
		n++
		atomic.StoreUint64(&spins, n)
	}
	close(done)
}

func main() {
	runtime.GOMAXPROCS(2)
	ppid, pid := syscall.Getppid(), os.Getpid()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	spinDone := make(chan struct{})
	go spinner(spinDone)

	var ticks uint64
	tickStop := make(chan struct{})
	tickDone := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				atomic.AddUint64(&ticks, 1)
			case <-tickStop:
				close(tickDone)
				return
			}
		}
	}()

	var wg sync.WaitGroup
	results := make([]workerResult, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			worker(i, ppid, pid, &results[i])
		}(i)
	}
	var streamN int64
	var streamSum string
	wg.Add(1)
	go func() {
		defer wg.Done()
		streamN, streamSum = stream()
	}()

	for g := 0; g < forcedGCs; g++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	wg.Wait()

	atomic.StoreUint64(&stop, 1)
	<-spinDone
	close(tickStop)
	<-tickDone
	var after runtime.MemStats
	runtime.ReadMemStats(&after)

	var total workerResult
	for _, r := range results {
		total.ppidWrong += r.ppidWrong
		total.pidWrong += r.pidWrong
		total.pipeWrong += r.pipeWrong
		total.clockBack += r.clockBack
		total.bytes += r.bytes
		total.sum += r.sum
		total.gosched += r.gosched
	}
	fmt.Printf("workers: %d x %d iterations\n", workers, iterations)
	fmt.Printf("getppid wrong: %d, getpid wrong: %d, pipe wrong: %d, clock backwards: %d\n",
		total.ppidWrong, total.pidWrong, total.pipeWrong, total.clockBack)
	fmt.Printf("pipe bytes: %d, checksum: %d\n", total.bytes, total.sum)
	fmt.Printf("gosched calls: %d\n", total.gosched)
	fmt.Printf("stream: %d bytes, sha256 %s\n", streamN, streamSum)
	fmt.Printf("forced collections: %d\n", after.NumForcedGC-before.NumForcedGC)
	fmt.Printf("ticker ticked: %v\n", atomic.LoadUint64(&ticks) > 0)
	fmt.Printf("spinner ran and stopped: %v\n", atomic.LoadUint64(&spins) > 0)
}
