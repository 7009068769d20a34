// gc_churn: allocates 2 GiB in total in 64 KiB..1 MiB slices, keeping a window of them
// alive, with forced collections; live data is checked before it is dropped, so a page
// the memory manager lost or zeroed under the program shows up as a bad checksum.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"
)

const (
	total  = 2 << 30 // bytes allocated over the run
	window = 48      // slices alive at any time
	stride = 512     // one stamped word every stride bytes
)

type block struct {
	data []byte
	seed uint64
}

// stamp writes a seed-derived value every stride bytes (cheaper than filling all of it).
func stamp(b []byte, seed uint64) {
	x := seed
	for i := 0; i+8 <= len(b); i += stride {
		x = x*6364136223846793005 + 1442695040888963407
		for k := 0; k < 8; k++ {
			b[i+k] = byte(x >> (8 * k))
		}
	}
}

// check recomputes the stamps and also requires untouched bytes to still be zero.
func check(b []byte, seed uint64) bool {
	x := seed
	for i := 0; i+8 <= len(b); i += stride {
		x = x*6364136223846793005 + 1442695040888963407
		for k := 0; k < 8; k++ {
			if b[i+k] != byte(x>>(8*k)) {
				return false
			}
		}
		if i+8 < len(b) && b[i+8] != 0 {
			return false
		}
	}
	return true
}

func main() {
	var live [window]*block
	var allocated int64
	var rng uint64 = 12345
	checked := 0
	gcs := 0
	for i := 0; allocated < total; i++ {
		rng = rng*6364136223846793005 + 1442695040888963407
		size := 64<<10 + int(rng>>33)%(1<<20-64<<10+1) // 64 KiB .. 1 MiB
		slot := i % window
		if old := live[slot]; old != nil {
			if !check(old.data, old.seed) {
				fmt.Printf("FAIL: block %d (%d bytes) corrupted\n", i-window, len(old.data))
				os.Exit(1)
			}
			checked++
		}
		b := &block{data: make([]byte, size), seed: rng}
		stamp(b.data, b.seed)
		live[slot] = b
		allocated += int64(size)
		if i%1000 == 999 {
			runtime.GC()
			gcs++
		}
	}
	for _, b := range live {
		if !check(b.data, b.seed) {
			fmt.Println("FAIL: a live block was corrupted at the end")
			os.Exit(1)
		}
	}

	// Finalizers run once the GC finds their object unreachable.
	var finalized int32
	for i := 0; i < 16; i++ {
		p := new([1024]byte)
		runtime.SetFinalizer(p, func(*[1024]byte) { atomic.AddInt32(&finalized, 1) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for atomic.LoadInt32(&finalized) == 0 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}

	// Give memory back to the OS (madvise), then allocate again.
	live = [window]*block{}
	debug.FreeOSMemory()
	again := make([]byte, 8<<20)
	stamp(again, 99)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("allocated over 1 GiB: %v\n", allocated > 1<<30)
	fmt.Printf("MemStats.TotalAlloc > 1 GiB: %v\n", ms.TotalAlloc > 1<<30)
	fmt.Printf("MemStats.NumGC >= forced collections: %v\n", int(ms.NumGC) >= gcs)
	fmt.Printf("live blocks checked before reuse: %v\n", checked > 1000)
	fmt.Printf("finalizer ran: %v\n", atomic.LoadInt32(&finalized) > 0)
	fmt.Printf("memory after FreeOSMemory ok: %v\n", check(again, 99))
	fmt.Printf("heap in use < 512 MiB at end: %v\n", ms.HeapInuse < 512<<20)
}
