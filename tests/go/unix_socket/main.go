// unix_socket: Unix-domain sockets in a fresh temporary directory (its path is never
// printed): a stream server with concurrent clients, datagram sockets (message
// boundaries, sender address, truncation), the abstract namespace, peer credentials,
// and file descriptors passed with SCM_RIGHTS and used on the receiving side.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

var dir string

func fail(format string, args ...any) {
	// Errors may contain the temporary path: print them with it replaced.
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), dir, "$TMP")
	fmt.Printf("FAIL: %s\n", msg)
	os.RemoveAll(dir)
	os.Exit(1)
}

func p(name string) string { return filepath.Join(dir, name) }

func main() {
	var err error
	dir, err = os.MkdirTemp("", "asis-unix-")
	if err != nil {
		fmt.Println("FAIL: MkdirTemp:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(dir)

	stream()
	datagram()
	abstract()
	passFDs()
}

// stream: a line-upper-casing server and concurrent clients.
func stream() {
	path := p("stream.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		fail("listen: %v", err)
	}
	st, err := os.Stat(path)
	fmt.Printf("stream: socket file exists %v, is socket %v\n", err == nil, err == nil && st.Mode()&os.ModeSocket != 0)
	fmt.Printf("stream: listener network %s, addr is path %v\n", ln.Addr().Network(), ln.Addr().String() == path)

	var wg sync.WaitGroup
	acceptDone := make(chan struct{})
	go func() {
		defer close(acceptDone)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func(c net.Conn) {
				defer wg.Done()
				defer c.Close()
				sc := bufio.NewScanner(c)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for sc.Scan() {
					fmt.Fprintf(c, "%s\n", strings.ToUpper(sc.Text()))
				}
			}(c)
		}
	}()

	const clients = 6
	res := make([]string, clients)
	var cwg sync.WaitGroup
	for i := 0; i < clients; i++ {
		cwg.Add(1)
		go func(i int) {
			defer cwg.Done()
			c, err := net.Dial("unix", path)
			if err != nil {
				res[i] = fmt.Sprintf("client %d: dial error", i)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(20 * time.Second))
			r := bufio.NewReader(c)
			ok := 0
			for j := 0; j < 10; j++ {
				line := fmt.Sprintf("client %d line %d %s", i, j, strings.Repeat("ab", i*j*100))
				fmt.Fprintf(c, "%s\n", line)
				got, err := r.ReadString('\n')
				if err == nil && got == strings.ToUpper(line)+"\n" {
					ok++
				}
			}
			// Half-close: the server sees EOF, closes, and we read EOF.
			c.(*net.UnixConn).CloseWrite()
			_, err = r.ReadByte()
			res[i] = fmt.Sprintf("client %d: %d/10 lines ok, EOF after CloseWrite %v", i, ok, err == io.EOF)
		}(i)
	}
	cwg.Wait()
	sort.Strings(res)
	for _, r := range res {
		fmt.Println("stream:", r)
	}

	// Peer credentials of a connection to ourselves are our own.
	c, err := net.Dial("unix", path)
	if err != nil {
		fail("dial: %v", err)
	}
	raw, _ := c.(*net.UnixConn).SyscallConn()
	var cred *syscall.Ucred
	var cerr error
	raw.Control(func(fd uintptr) { cred, cerr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED) })
	if cerr != nil {
		fail("SO_PEERCRED: %v", cerr)
	}
	fmt.Printf("stream: SO_PEERCRED pid is ours %v, uid %v, gid %v\n",
		int(cred.Pid) == os.Getpid(), int(cred.Uid) == os.Getuid(), int(cred.Gid) == os.Getgid())
	c.Close()

	ln.Close()
	<-acceptDone // no wg.Add after this
	wg.Wait()
	_, err = os.Stat(path)
	fmt.Printf("stream: socket file removed by Close %v\n", errors.Is(err, os.ErrNotExist))
	_, err = net.Dial("unix", path)
	fmt.Printf("stream: dial removed socket: ENOENT %v\n", errors.Is(err, syscall.ENOENT))

	// A socket file with no listener behind it refuses connections.
	stale := p("stale.sock")
	ul, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		fail("listen stale: %v", err)
	}
	ul.SetUnlinkOnClose(false)
	ul.Close()
	_, err = net.Dial("unix", stale)
	fmt.Printf("stream: dial stale socket file: ECONNREFUSED %v\n", errors.Is(err, syscall.ECONNREFUSED))
	_, err = net.Listen("unix", stale)
	fmt.Printf("stream: listen on existing file: EADDRINUSE %v\n", errors.Is(err, syscall.EADDRINUSE))
	// A regular file is not a socket.
	os.WriteFile(p("plain"), []byte("x"), 0o644)
	_, err = net.Dial("unix", p("plain"))
	fmt.Printf("stream: dial regular file: ECONNREFUSED %v\n", errors.Is(err, syscall.ECONNREFUSED))
}

// datagram: two bound unixgram sockets; boundaries, sender address, truncation.
func datagram() {
	a, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p("a.dgram"), Net: "unixgram"})
	if err != nil {
		fail("listen a: %v", err)
	}
	defer a.Close()
	b, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p("b.dgram"), Net: "unixgram"})
	if err != nil {
		fail("listen b: %v", err)
	}
	defer b.Close()
	a.SetDeadline(time.Now().Add(20 * time.Second))
	b.SetDeadline(time.Now().Add(20 * time.Second))

	sizes := []int{1, 0, 100, 4000, 60000}
	for i, n := range sizes {
		msg := bytes.Repeat([]byte{byte('a' + i)}, n)
		if _, err := b.WriteToUnix(msg, a.LocalAddr().(*net.UnixAddr)); err != nil {
			fail("WriteToUnix %d: %v", n, err)
		}
	}
	buf := make([]byte, 1<<17)
	for i, n := range sizes {
		got, from, err := a.ReadFromUnix(buf)
		if err != nil {
			fail("ReadFromUnix: %v", err)
		}
		want := bytes.Repeat([]byte{byte('a' + i)}, n)
		fmt.Printf("dgram %5d bytes: got %5d, match %v, from b %v\n", n, got, bytes.Equal(buf[:got], want),
			from != nil && from.Name == p("b.dgram"))
	}

	// A datagram larger than the buffer is cut, and recvmsg says so with MSG_TRUNC.
	if _, err := a.WriteToUnix([]byte("0123456789abcdef"), b.LocalAddr().(*net.UnixAddr)); err != nil {
		fail("WriteToUnix: %v", err)
	}
	small := make([]byte, 10)
	n, _, flags, from, err := b.ReadMsgUnix(small, nil)
	fmt.Printf("dgram truncated: n %d %q, MSG_TRUNC %v, from a %v, err %v\n", n, small[:n],
		flags&syscall.MSG_TRUNC != 0, from != nil && from.Name == p("a.dgram"), err)

	// Connected datagram sockets (DialUnix) and an unbound sender (no address).
	c, err := net.DialUnix("unixgram", nil, a.LocalAddr().(*net.UnixAddr))
	if err != nil {
		fail("DialUnix: %v", err)
	}
	c.Write([]byte("from an unbound socket"))
	n, from, err = a.ReadFromUnix(buf)
	fmt.Printf("dgram unbound sender: %q, from has no name %v, err %v\n", buf[:n], from == nil || from.Name == "", err)
	c.Close()

	// A socketpair of datagram sockets turned into net.Conns.
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		fail("socketpair: %v", err)
	}
	var conns [2]net.Conn
	for i, fd := range fds {
		f := os.NewFile(uintptr(fd), "pair")
		conns[i], err = net.FileConn(f)
		f.Close()
		if err != nil {
			fail("FileConn: %v", err)
		}
	}
	for _, m := range []string{"one", "two two", "three three three"} {
		conns[0].Write([]byte(m))
	}
	conns[1].SetReadDeadline(time.Now().Add(20 * time.Second))
	var got []string
	for i := 0; i < 3; i++ {
		n, err := conns[1].Read(buf)
		if err != nil {
			fail("pair read: %v", err)
		}
		got = append(got, string(buf[:n]))
	}
	fmt.Printf("dgram socketpair: %q\n", got)
	// Nothing left: the read times out.
	conns[1].SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	_, err = conns[1].Read(buf)
	fmt.Printf("dgram socketpair empty read: deadline exceeded %v\n", errors.Is(err, os.ErrDeadlineExceeded))
	conns[0].Close()
	conns[1].Close()
}

// abstract: a listener in the abstract namespace (no file is created).
func abstract() {
	name := fmt.Sprintf("@asis-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	ln, err := net.Listen("unix", name)
	if err != nil {
		fail("abstract listen: %v", err)
	}
	go func() {
		c, err := ln.Accept()
		if err == nil {
			io.Copy(c, c)
			c.Close()
		}
	}()
	c, err := net.Dial("unix", name)
	if err != nil {
		fail("abstract dial: %v", err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	c.Write([]byte("abstract hello"))
	c.(*net.UnixConn).CloseWrite()
	b, err := io.ReadAll(c)
	fmt.Printf("abstract: echo %q, err %v, addr starts with @ %v\n", b, err, strings.HasPrefix(c.RemoteAddr().String(), "@"))
	c.Close()
	ln.Close()
}

// passFDs: SCM_RIGHTS over a stream socketpair.
func passFDs() {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		fail("socketpair: %v", err)
	}
	mk := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			fail("FileConn: %v", err)
		}
		return c.(*net.UnixConn)
	}
	snd, rcv := mk(fds[0]), mk(fds[1])
	defer snd.Close()
	defer rcv.Close()
	rcv.SetDeadline(time.Now().Add(20 * time.Second))

	// 1. A regular file, sent and closed here: the received fd reads its content and
	// is the same file (same inode).
	content := []byte("the content of a file passed by descriptor\n")
	if err := os.WriteFile(p("passed.txt"), content, 0o600); err != nil {
		fail("write: %v", err)
	}
	f, err := os.Open(p("passed.txt"))
	if err != nil {
		fail("open: %v", err)
	}
	var orig syscall.Stat_t
	syscall.Fstat(int(f.Fd()), &orig)
	n, oobn, err := snd.WriteMsgUnix([]byte("file"), syscall.UnixRights(int(f.Fd())), nil)
	fmt.Printf("send file fd: n %d, oobn %d, err %v\n", n, oobn, err)
	f.Close()
	got := recvFDs(rcv, syscall.CmsgSpace(4*4), "file")
	if len(got) == 1 {
		var st syscall.Stat_t
		syscall.Fstat(got[0], &st)
		rf := os.NewFile(uintptr(got[0]), "received")
		b, err := io.ReadAll(rf)
		rf.Close()
		fmt.Printf("received file fd: same inode %v, content match %v, err %v\n",
			st.Ino == orig.Ino && st.Dev == orig.Dev, bytes.Equal(b, content), err)
	}

	// 2. Three descriptors at once: the read end of a pipe (written after the send),
	// the write end of another pipe (written through the received fd), /dev/null.
	var p1, p2 [2]int
	if err := syscall.Pipe2(p1[:], syscall.O_CLOEXEC); err != nil {
		fail("pipe: %v", err)
	}
	if err := syscall.Pipe2(p2[:], syscall.O_CLOEXEC); err != nil {
		fail("pipe: %v", err)
	}
	devnull, _ := os.Open(os.DevNull)
	_, _, err = snd.WriteMsgUnix([]byte("three"), syscall.UnixRights(p1[0], p2[1], int(devnull.Fd())), nil)
	if err != nil {
		fail("send three: %v", err)
	}
	syscall.Close(p1[0])
	syscall.Close(p2[1])
	devnull.Close()
	got = recvFDs(rcv, syscall.CmsgSpace(4*4), "three")
	if len(got) == 3 {
		syscall.Write(p1[1], []byte("through the passed read end"))
		syscall.Close(p1[1])
		b, err := io.ReadAll(os.NewFile(uintptr(got[0]), "r"))
		fmt.Printf("passed pipe read end: %q, err %v\n", b, err)
		w := os.NewFile(uintptr(got[1]), "w")
		w.Write([]byte("through the passed write end"))
		w.Close()
		b, err = io.ReadAll(os.NewFile(uintptr(p2[0]), "r2"))
		fmt.Printf("passed pipe write end: %q, err %v\n", b, err)
		var st syscall.Stat_t
		syscall.Fstat(got[2], &st)
		fmt.Printf("passed /dev/null: char device %v\n", st.Mode&syscall.S_IFMT == syscall.S_IFCHR)
		syscall.Close(got[2])
	}

	// 3. Three descriptors into room for two: MSG_CTRUNC, two arrive.
	var p3 [2]int
	syscall.Pipe2(p3[:], syscall.O_CLOEXEC)
	_, _, err = snd.WriteMsgUnix([]byte("trunc"), syscall.UnixRights(p3[0], p3[0], p3[0]), nil)
	if err != nil {
		fail("send trunc: %v", err)
	}
	syscall.Close(p3[0])
	got = recvFDs(rcv, syscall.CmsgSpace(2*4), "trunc")
	for _, fd := range got {
		syscall.Close(fd)
	}
	syscall.Close(p3[1])

	// 4. Rights on a message whose data is read with no room for control data: the
	// descriptors are dropped and MSG_CTRUNC is set.
	_, _, err = snd.WriteMsgUnix([]byte("nooob"), syscall.UnixRights(0), nil)
	if err != nil {
		fail("send nooob: %v", err)
	}
	buf := make([]byte, 16)
	n, oobn, flags, _, err := rcv.ReadMsgUnix(buf, nil)
	fmt.Printf("recv %q without oob buffer: oobn %d, MSG_CTRUNC %v, err %v\n", buf[:n], oobn, flags&syscall.MSG_CTRUNC != 0, err)

	// 5. Passing a non-descriptor fails with EBADF.
	_, _, err = snd.WriteMsgUnix([]byte("bad"), syscall.UnixRights(1<<20), nil)
	fmt.Printf("send invalid fd: EBADF %v\n", errors.Is(err, syscall.EBADF))
}

// recvFDs reads one message with an oob buffer of oobSize bytes and returns the
// descriptors it carried, printing what arrived.
func recvFDs(c *net.UnixConn, oobSize int, want string) []int {
	buf := make([]byte, 64)
	oob := make([]byte, oobSize)
	n, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		fail("ReadMsgUnix: %v", err)
	}
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	if err != nil {
		fail("ParseSocketControlMessage: %v", err)
	}
	var fds []int
	for _, m := range msgs {
		if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SCM_RIGHTS {
			r, err := syscall.ParseUnixRights(&m)
			if err != nil {
				fail("ParseUnixRights: %v", err)
			}
			fds = append(fds, r...)
		}
	}
	cloexec := true
	for _, fd := range fds {
		// ReadMsgUnix asks for MSG_CMSG_CLOEXEC (Go 1.12+).
		fl, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
		if e != 0 || fl&syscall.FD_CLOEXEC == 0 {
			cloexec = false
		}
	}
	fmt.Printf("recv %q (want %q): %d control message(s), %d fd(s), fds >= 0 %v, cloexec %v, MSG_CTRUNC %v\n",
		buf[:n], want, len(msgs), len(fds), allNonNeg(fds), cloexec, flags&syscall.MSG_CTRUNC != 0)
	return fds
}

func allNonNeg(fds []int) bool {
	for _, fd := range fds {
		if fd < 0 {
			return false
		}
	}
	return true
}
