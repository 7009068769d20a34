// file_io: writes a file of SIZE MiB in 4 KiB blocks into a fresh temporary directory
// (no fsync: this measures the syscall path and the page cache, not the disk), reads it
// back in 4 KiB blocks, checks the contents, removes it, and prints both throughputs.
//
// Usage: file_io [SIZE_MIB]   (default 64)
// Output: write_MBps=<float> read_MBps=<float>   (MB = 10^6 bytes)
package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

const block = 4096

func fail(what string, err error) {
	fmt.Fprintf(os.Stderr, "file_io: %s: %v\n", what, err)
	os.Exit(1)
}

func main() {
	mib := 64
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "file_io: bad SIZE_MIB:", os.Args[1])
			os.Exit(2)
		}
		mib = v
	}
	blocks := mib * 1024 * 1024 / block
	total := float64(blocks * block)

	dir, err := os.MkdirTemp("", "asis-bench-")
	if err != nil {
		fail("mkdtemp", err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data")

	wbuf := make([]byte, block)
	for i := range wbuf {
		wbuf[i] = byte(i * 7)
	}

	start := time.Now()
	f, err := os.Create(path)
	if err != nil {
		fail("create", err)
	}
	for i := 0; i < blocks; i++ {
		wbuf[0] = byte(i) // each block differs, so a misplaced block is caught
		if _, err := f.Write(wbuf); err != nil {
			fail("write", err)
		}
	}
	if err := f.Close(); err != nil {
		fail("close", err)
	}
	wdur := time.Since(start)

	rbuf := make([]byte, block)
	start = time.Now()
	f, err = os.Open(path)
	if err != nil {
		fail("open", err)
	}
	for i := 0; i < blocks; i++ {
		if _, err := io.ReadFull(f, rbuf); err != nil {
			fail("read", err)
		}
		wbuf[0] = byte(i)
		if !bytes.Equal(rbuf, wbuf) {
			fmt.Fprintf(os.Stderr, "file_io: block %d reads back wrong\n", i)
			os.Exit(1)
		}
	}
	if n, err := f.Read(rbuf); n != 0 || err != io.EOF {
		fmt.Fprintf(os.Stderr, "file_io: no EOF at end (n=%d err=%v)\n", n, err)
		os.Exit(1)
	}
	f.Close()
	rdur := time.Since(start)

	if err := os.Remove(path); err != nil {
		fail("remove", err)
	}
	fmt.Printf("write_MBps=%.1f read_MBps=%.1f\n",
		total/wdur.Seconds()/1e6, total/rdur.Seconds()/1e6)
}
