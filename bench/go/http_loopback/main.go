// http_loopback: a net/http server on 127.0.0.1 (a free port) and a client in the same
// program; the client makes N sequential GET requests over one keep-alive connection,
// reads each small body fully and checks it, and prints the mean time per request.
// Each request is a few socket calls on each side (write, read, epoll_pwait) and the
// poller's wake-ups between the two goroutines, so this measures the network path of
// a Go server (under asis: its emulated socket and epoll calls).
//
// Usage: http_loopback [N]   (default 20000, about 1 s natively)
// Output: ns_per_request=<float> requests=<N>
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

const body = "hello from asis bench\n"

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "http_loopback: "+format+"\n", args...)
	os.Exit(1)
}

func main() {
	n := 20000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v <= 0 {
			fmt.Fprintln(os.Stderr, "http_loopback: bad N:", os.Args[1])
			os.Exit(2)
		}
		n = v
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		io.WriteString(w, body)
	})}
	go srv.Serve(ln)

	// One idle connection kept alive between requests, so every request after the
	// first reuses it: the loop measures requests, not connection set-up.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	url := "http://" + ln.Addr().String() + "/"
	buf := make([]byte, 256)
	get := func() {
		resp, err := client.Get(url)
		if err != nil {
			fail("get: %v", err)
		}
		got, err := io.ReadFull(resp.Body, buf[:len(body)])
		if err != nil || string(buf[:got]) != body {
			fail("body: %q, %v", buf[:got], err)
		}
		// Reading to EOF and closing returns the connection to the idle pool.
		if extra, _ := io.Copy(io.Discard, resp.Body); extra != 0 {
			fail("body longer than expected by %d bytes", extra)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			fail("status %d", resp.StatusCode)
		}
	}

	get() // connection set-up and first-use costs stay out of the timing
	start := time.Now()
	for i := 0; i < n; i++ {
		get()
	}
	el := time.Since(start)
	srv.Close()
	fmt.Printf("ns_per_request=%.1f requests=%d\n", float64(el.Nanoseconds())/float64(n), n)
}
