// http_loopback: a net/http server and client in one program over 127.0.0.1 (random
// port, never printed): GET and POST with bodies up to 1 MiB, keep-alive and fresh
// connections, concurrent clients, graceful Shutdown with a request in flight; then a
// raw TCP echo with deadlines and a read that times out. Only deterministic results are
// printed (counts, sizes, hashes, booleans), so a native run is the reference.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func fail(format string, args ...any) {
	fmt.Printf("FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// pattern returns n deterministic bytes (not all equal, so a shifted copy is caught).
func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed) + 1
	for i := range b {
		x = x*1103515245 + 12345
		b[i] = byte(x >> 16)
	}
	return b
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return fmt.Sprintf("%x", h[:6])
}

// Server side -----------------------------------------------------------------------

var (
	inFlightStarted = make(chan struct{})
	inFlightRelease = make(chan struct{})
)

func handler() http.Handler {
	mux := http.NewServeMux()
	// GET /size?n=N&seed=S: N pattern bytes.
	mux.HandleFunc("/size", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		n, err1 := strconv.Atoi(r.URL.Query().Get("n"))
		seed, err2 := strconv.Atoi(r.URL.Query().Get("seed"))
		if err1 != nil || err2 != nil || n < 0 {
			http.Error(w, "bad n", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(pattern(n, byte(seed)))
	})
	// POST /echo: the body back, its length and hash in headers.
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read", http.StatusInternalServerError)
			return
		}
		w.Header().Set("X-Len", strconv.Itoa(len(body)))
		w.Header().Set("X-Sum", sum(body))
		w.Write(body)
	})
	// /status?code=N: that status.
	mux.HandleFunc("/status", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.WriteHeader(code)
		fmt.Fprintf(w, "status %d\n", code)
	})
	// /slow: signals that it started, waits to be released (graceful Shutdown test).
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(inFlightStarted)
		<-inFlightRelease
		io.WriteString(w, "slow done\n")
	})
	return mux
}

// Client side -----------------------------------------------------------------------

// do runs one request; it returns the status, the body and whether the connection
// was a reused keep-alive one.
func do(c *http.Client, method, url string, body []byte) (int, []byte, http.Header, bool) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		fail("NewRequest: %v", err)
	}
	reused := false
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
	resp, err := c.Do(req)
	if err != nil {
		fail("%s %s: %v", method, strings.SplitN(url, "/", 4)[3], err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		fail("read body: %v", err)
	}
	return resp.StatusCode, b, resp.Header, reused
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	fmt.Printf("listener: %s, loopback %v, port set %v\n", ln.Addr().Network(), addr.IP.IsLoopback(), addr.Port != 0)
	base := "http://" + ln.Addr().String()

	var mu sync.Mutex
	newConns := 0
	srv := &http.Server{
		Handler: handler(),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				mu.Lock()
				newConns++
				mu.Unlock()
			}
		},
	}
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(ln) }()

	total := 0

	// 1. Sequential keep-alive: one connection, reused by every later request.
	keep := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}, Timeout: 20 * time.Second}
	sizes := []int{0, 1, 100, 4095, 4096, 65536, 200000, 1 << 20}
	reusedCount := 0
	for i, n := range sizes {
		code, b, _, reused := do(keep, "GET", fmt.Sprintf("%s/size?n=%d&seed=%d", base, n, i), nil)
		total++
		if reused {
			reusedCount++
		}
		fmt.Printf("GET size %7d: status %d, len %7d, match %v\n", n, code, len(b), bytes.Equal(b, pattern(n, byte(i))))
	}
	for i, n := range sizes {
		body := pattern(n, byte(100+i))
		code, b, h, reused := do(keep, "POST", base+"/echo", body)
		total++
		if reused {
			reusedCount++
		}
		fmt.Printf("POST echo %7d: status %d, X-Len %s, X-Sum ok %v, echo match %v\n",
			n, code, h.Get("X-Len"), h.Get("X-Sum") == sum(body), bytes.Equal(b, body))
	}
	for _, c := range []int{200, 201, 204, 301, 404, 418, 500, 503} {
		code, b, _, reused := do(keep, "GET", fmt.Sprintf("%s/status?code=%d", base, c), nil)
		total++
		if reused {
			reusedCount++
		}
		fmt.Printf("GET status %d: got %d, body %q\n", c, code, b)
	}
	code, _, _, _ := do(keep, "PUT", base+"/echo", []byte("x"))
	total++
	fmt.Printf("PUT echo: status %d\n", code)
	code, _, _, _ = do(keep, "GET", base+"/nowhere", nil)
	total++
	fmt.Printf("GET unknown path: status %d\n", code)
	// Some of the statuses above (301 without Location is fine, 204/304 have no body)
	// do not close the connection, so every request after the first reuses it.
	fmt.Printf("keep-alive: %d of %d requests on a reused connection\n", reusedCount, 2*len(sizes)+8)
	keep.CloseIdleConnections()

	mu.Lock()
	fmt.Printf("server saw %d connection(s) so far\n", newConns)
	mu.Unlock()

	// 2. No keep-alive: every request on a new connection.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 20 * time.Second}
	freshReused := 0
	for i := 0; i < 6; i++ {
		body := pattern(1000*i+7, byte(i))
		code, b, _, reused := do(fresh, "POST", base+"/echo", body)
		total++
		if reused {
			freshReused++
		}
		if code != 200 || !bytes.Equal(b, body) {
			fail("fresh POST %d: status %d, len %d", i, code, len(b))
		}
	}
	mu.Lock()
	fmt.Printf("no keep-alive: 6 requests ok, reused %d, server connections now %d\n", freshReused, newConns)
	mu.Unlock()

	// 3. Concurrent clients on a shared keep-alive transport.
	shared := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 20 * time.Second}
	const workers, perWorker = 8, 3
	var wg sync.WaitGroup
	results := make([]string, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ok := 0
			for j := 0; j < perWorker; j++ {
				n := (w*perWorker + j) * 9973
				var code int
				var b, want []byte
				if j%2 == 0 {
					want = pattern(n, byte(w))
					code, b, _, _ = do(shared, "GET", fmt.Sprintf("%s/size?n=%d&seed=%d", base, n, w), nil)
				} else {
					want = pattern(n, byte(200+w))
					code, b, _, _ = do(shared, "POST", base+"/echo", want)
				}
				if code == 200 && bytes.Equal(b, want) {
					ok++
				}
			}
			results[w] = fmt.Sprintf("worker %d: %d/%d ok", w, ok, perWorker)
		}(w)
	}
	wg.Wait()
	total += workers * perWorker
	sort.Strings(results)
	for _, r := range results {
		fmt.Println(r)
	}
	shared.CloseIdleConnections()

	// 4. Graceful Shutdown with one request in flight: the listener closes at once
	// (Serve returns ErrServerClosed, new connections are refused), the request in
	// flight still completes, and then Shutdown returns.
	slowDone := make(chan string, 1)
	go func() {
		c := &http.Client{Timeout: 20 * time.Second}
		code, b, _, _ := do(c, "GET", base+"/slow", nil)
		total++
		slowDone <- fmt.Sprintf("status %d, body %q", code, b)
	}()
	<-inFlightStarted
	shutdownDone := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		shutdownDone <- srv.Shutdown(ctx)
	}()
	err = <-serveDone
	fmt.Printf("Serve returned ErrServerClosed: %v\n", errors.Is(err, http.ErrServerClosed))
	_, err = net.DialTimeout("tcp", addr.String(), 5*time.Second)
	fmt.Printf("dial after listener closed: refused %v\n", errors.Is(err, syscall.ECONNREFUSED))
	select {
	case err := <-shutdownDone:
		fail("Shutdown returned before the request in flight ended: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(inFlightRelease)
	fmt.Printf("in-flight request: %s\n", <-slowDone)
	fmt.Printf("Shutdown error: %v\n", <-shutdownDone)
	fmt.Printf("HTTP requests done: %d\n", total)

	tcpEcho()
}

// tcpEcho: a raw TCP echo server with deadlines on both sides.
func tcpEcho() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	served := make(chan string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			served <- "accept: " + err.Error()
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(20 * time.Second))
		n, err := io.Copy(c, c) // echo until the client's half-close
		served <- fmt.Sprintf("echoed %d bytes, err %v", n, err)
	}()

	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		fail("dial: %v", err)
	}
	tc := c.(*net.TCPConn)
	fmt.Printf("tcp: local loopback %v, remote is listener %v\n",
		tc.LocalAddr().(*net.TCPAddr).IP.IsLoopback(), tc.RemoteAddr().String() == ln.Addr().String())
	if err := tc.SetNoDelay(true); err != nil {
		fail("SetNoDelay: %v", err)
	}
	if err := c.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		fail("SetDeadline: %v", err)
	}
	echoed := 0
	for _, n := range []int{1, 13, 1500, 70000, 300000} {
		msg := pattern(n, byte(n))
		// Write in a goroutine: a large message would fill both socket buffers otherwise.
		werr := make(chan error, 1)
		go func() { _, err := c.Write(msg); werr <- err }()
		got := make([]byte, n)
		if _, err := io.ReadFull(c, got); err != nil {
			fail("echo read %d: %v", n, err)
		}
		if err := <-werr; err != nil {
			fail("echo write %d: %v", n, err)
		}
		echoed += n
		fmt.Printf("tcp echo %6d bytes: match %v\n", n, bytes.Equal(got, msg))
	}

	// Nothing is sent, so a read with a short deadline times out.
	c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	t0 := time.Now()
	buf := make([]byte, 16)
	n, err := c.Read(buf)
	waited := time.Since(t0)
	var ne net.Error
	fmt.Printf("read with deadline: n %d, ErrDeadlineExceeded %v, net.Error timeout %v, waited >= 90ms %v\n",
		n, errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout(), waited >= 90*time.Millisecond)
	// A deadline already in the past fails at once, with the same error.
	c.SetReadDeadline(time.Now().Add(-time.Second))
	_, err = c.Read(buf)
	fmt.Printf("read with past deadline: ErrDeadlineExceeded %v\n", errors.Is(err, os.ErrDeadlineExceeded))

	// Clearing the deadline makes the connection usable again.
	c.SetReadDeadline(time.Time{})
	if _, err := c.Write([]byte("after timeout")); err != nil {
		fail("write after timeout: %v", err)
	}
	got := make([]byte, len("after timeout"))
	_, err = io.ReadFull(c, got)
	echoed += len(got)
	fmt.Printf("after clearing the deadline: %q, err %v\n", got, err)

	// Half-close: the server's copy sees EOF, closes, and the client reads EOF.
	if err := tc.CloseWrite(); err != nil {
		fail("CloseWrite: %v", err)
	}
	n, err = c.Read(buf)
	fmt.Printf("read after CloseWrite: n %d, EOF %v\n", n, err == io.EOF)
	fmt.Printf("server: %s (client sent %d)\n", <-served, echoed)
	c.Close()

	// A write deadline in the past fails the write the same way.
	ln2c, err := net.Dial("tcp", ln.Addr().String())
	if err == nil {
		ln2c.SetWriteDeadline(time.Now().Add(-time.Second))
		_, err = ln2c.Write([]byte("x"))
		fmt.Printf("write with past deadline: ErrDeadlineExceeded %v\n", errors.Is(err, os.ErrDeadlineExceeded))
		ln2c.Close()
	} else {
		fail("second dial: %v", err)
	}
	ln.Close()
	_, err = net.Dial("tcp", ln.Addr().String())
	fmt.Printf("dial closed listener: refused %v\n", errors.Is(err, syscall.ECONNREFUSED))
}
