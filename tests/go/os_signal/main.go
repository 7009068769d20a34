// os_signal: os/signal on signals from outside and from itself. Notify receives SIGUSR1,
// SIGHUP and SIGTERM sent by a re-executed copy of this program (one at a time: the
// sender waits for an acknowledgement on its stdin before the next, so the order is
// fixed); Ignore makes a SIGHUP to itself harmless, also in a child, which inherits
// the SIG_IGN; Reset gives back the default
// actions, so a child that caught SIGINT through Notify and then Reset it dies of the
// next one; Notify for SIGCHLD hears a child exit. The role of a re-executed copy is in
// the environment variable ASIS_OS_SIGNAL_ROLE.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

const roleVar = "ASIS_OS_SIGNAL_ROLE"

// recv waits for one signal; a lost signal prints "nothing" rather than hanging.
func recv(ch chan os.Signal) string {
	select {
	case s := <-ch:
		return s.String()
	case <-time.After(5 * time.Second):
		return "nothing"
	}
}

func child(role string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), roleVar+"="+role)
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	return cmd
}

// sender: signals its parent, waiting for one acknowledgement byte on stdin after each.
func sender() {
	ppid := os.Getppid()
	ack := make([]byte, 1)
	for _, sig := range []syscall.Signal{syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGTERM} {
		if err := syscall.Kill(ppid, sig); err != nil {
			fmt.Println("sender: kill:", err)
			os.Exit(2)
		}
		if n, _ := os.Stdin.Read(ack); n != 1 {
			fmt.Println("sender: no acknowledgement")
			os.Exit(3)
		}
	}
}

// interrupted: catches one SIGINT through Notify, then Resets it and sends another,
// which must kill it.
func interrupted() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	fmt.Println("child: caught with Notify:", recv(ch))
	signal.Reset(os.Interrupt)
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	time.Sleep(5 * time.Second)
	fmt.Println("child: survived SIGINT after Reset")
	os.Exit(3)
}

func main() {
	switch os.Getenv(roleVar) {
	case "sender":
		sender()
		return
	case "interrupted":
		interrupted()
		return
	case "nohup":
		fmt.Println("child: SIGHUP ignored from the start:", signal.Ignored(syscall.SIGHUP))
		syscall.Kill(os.Getpid(), syscall.SIGHUP)
		time.Sleep(20 * time.Millisecond)
		fmt.Println("child: survived SIGHUP")
		return
	case "exit":
		return
	}

	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGUSR1, syscall.SIGHUP, syscall.SIGTERM)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	fmt.Println("from itself:", recv(ch))

	cmd := child("sender")
	ack, err := cmd.StdinPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		fmt.Println("start sender:", err)
		os.Exit(1)
	}
	for i := 0; i < 3; i++ {
		fmt.Println("from the sender:", recv(ch))
		ack.Write([]byte{1})
	}
	ack.Close()
	fmt.Println("sender exited:", cmd.Wait())

	// SIGHUP would end a Go program; ignored, it does not, and the SIG_IGN is inherited
	// through fork and exec, where Go's runtime keeps it (nohup).
	signal.Ignore(syscall.SIGHUP)
	fmt.Println("SIGHUP ignored:", signal.Ignored(syscall.SIGHUP))
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	time.Sleep(20 * time.Millisecond)
	fmt.Println("survived SIGHUP")
	fmt.Println("nohup child:", child("nohup").Run())

	signal.Reset()

	// While this process Notifies SIGINT, a child starts with SIGINT at SIG_DFL (the
	// runtime resets its handled signals after fork) even if this program inherited it
	// ignored: the child's death does not depend on how the tests were started.
	intCh := make(chan os.Signal, 1)
	signal.Notify(intCh, os.Interrupt)
	cmd = child("interrupted")
	err = cmd.Run()
	signal.Reset(os.Interrupt)
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && err != nil {
		fmt.Printf("child after Reset: signaled=%v signal=%v\n", ws.Signaled(), ws.Signal())
	} else {
		fmt.Println("child after Reset:", err)
	}

	chld := make(chan os.Signal, 1)
	signal.Notify(chld, syscall.SIGCHLD)
	fmt.Println("exiting child:", child("exit").Run())
	fmt.Println("SIGCHLD:", recv(chld))
}
