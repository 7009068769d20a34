// path_ops: the cost of naming files by path, which under asis goes through its
// file-system view (docs/file-system-view.md): N stat calls of a file three directories
// down, N open+close of it, and N stat calls through a symlink (the slow path).
//
// Usage: path_ops [N]   (default 200000)
// Output: stat_ns=<float> open_close_ns=<float> symlink_stat_ns=<float> ops=<N>
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

func fail(what string, err error) {
	fmt.Fprintln(os.Stderr, "path_ops:", what+":", err)
	os.Exit(1)
}

func perOp(n int, f func()) float64 {
	start := time.Now()
	for i := 0; i < n; i++ {
		f()
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

func main() {
	n := 200000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "path_ops: bad N:", os.Args[1])
			os.Exit(2)
		}
		n = v
	}
	dir, err := os.MkdirTemp("", "asis-path-ops-")
	if err != nil {
		fail("MkdirTemp", err)
	}
	defer os.RemoveAll(dir)
	deep := filepath.Join(dir, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		fail("MkdirAll", err)
	}
	file := filepath.Join(deep, "f")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		fail("WriteFile", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join("a", "b", "c", "f"), link); err != nil {
		fail("Symlink", err)
	}

	stat := perOp(n, func() {
		if _, err := os.Stat(file); err != nil {
			fail("Stat", err)
		}
	})
	openClose := perOp(n, func() {
		f, err := os.Open(file)
		if err != nil {
			fail("Open", err)
		}
		f.Close()
	})
	symlinkStat := perOp(n, func() {
		if _, err := os.Stat(link); err != nil {
			fail("Stat of a symlink", err)
		}
	})
	fmt.Printf("stat_ns=%.1f open_close_ns=%.1f symlink_stat_ns=%.1f ops=%d\n", stat, openClose,
		symlinkStat, n)
}
