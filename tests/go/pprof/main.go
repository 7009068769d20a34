// pprof: a CPU profile is built from SIGPROF samples (per-thread timer_create timers
// since Go 1.18, setitimer before). About 400 ms of CPU in one function gives some 40
// samples, so the gunzipped profile names that function; a profile without samples
// names no function of this program at all.
package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"runtime/pprof"
	"syscall"
)

var sink uint64

// cpuMillis: CPU time used by the process so far.
func cpuMillis() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano()/1e6 + ru.Stime.Nano()/1e6
}

// busyWork spins until the process has used ms more milliseconds of CPU time.
//
//go:noinline
func busyWork(ms int64) {
	end := cpuMillis() + ms
	x := uint64(1)
	for cpuMillis() < end {
		for i := 0; i < 1000000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	sink = x
}

//go:noinline
func neverCalled() { sink++ }

func main() {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		fmt.Println("StartCPUProfile:", err)
		return
	}
	busyWork(400)
	pprof.StopCPUProfile()

	zr, err := gzip.NewReader(&buf)
	fmt.Println("profile is gzip:", err == nil)
	if err != nil {
		return
	}
	raw, err := io.ReadAll(zr)
	fmt.Println("profile gunzips:", err == nil)
	fmt.Println("profile names main.busyWork:", bytes.Contains(raw, []byte("main.busyWork")))
	fmt.Println("profile names main.neverCalled:", bytes.Contains(raw, []byte("main.neverCalled")))
	if false {
		neverCalled()
	}
}
