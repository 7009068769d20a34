// Writing to a pipe whose reader is gone returns EPIPE to a Go program (its SIGPIPE
// handler ignores the signal for descriptors other than stdout and stderr). On stdout
// or stderr the same write ends the program by SIGPIPE (os raises it with the default
// action), unless the program Notifies SIGPIPE (the write fails with EPIPE and the
// signal goes to the channel) or Ignores it (EPIPE only). Each of those runs in a
// re-executed copy of this program, its role in ASIS_BROKEN_PIPE_ROLE, writing to a
// pipe already closed at the other end.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

const roleVar = "ASIS_BROKEN_PIPE_ROLE"

// writer: one child role. Its report goes to whichever of stdout and stderr is not
// the broken pipe.
func writer(role string) {
	var broken, report *os.File = os.Stdout, os.Stderr
	if role == "stderr" {
		broken, report = os.Stderr, os.Stdout
	}
	ch := make(chan os.Signal, 1)
	switch role {
	case "notify":
		signal.Notify(ch, syscall.SIGPIPE)
	case "ignore":
		signal.Ignore(syscall.SIGPIPE)
	}
	_, err := broken.Write([]byte("into a broken pipe\n"))
	fmt.Fprintln(report, role+": still running, write error is EPIPE:", errors.Is(err, syscall.EPIPE))
	if role == "notify" {
		select {
		case s := <-ch:
			fmt.Fprintln(report, role+": channel received:", s)
		case <-time.After(5 * time.Second):
			fmt.Fprintln(report, role+": channel received nothing")
		}
	}
}

// run starts a writer with the write end of a pipe whose read end is closed as its
// stdout or stderr, and the other one shared with this program's stdout.
func run(role string) {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	r.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), roleVar+"="+role)
	cmd.Stdout, cmd.Stderr = w, os.Stdout
	if role == "stderr" {
		cmd.Stdout, cmd.Stderr = os.Stdout, w
	}
	err = cmd.Run()
	w.Close()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		fmt.Printf("%s: killed by %v\n", role, ws.Signal())
	} else {
		fmt.Printf("%s: exited: %v\n", role, err)
	}
}

func main() {
	if role := os.Getenv(roleVar); role != "" {
		writer(role)
		return
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	r.Close()
	_, err = w.Write([]byte("hello"))
	fmt.Println("write error is EPIPE:", errors.Is(err, syscall.EPIPE))
	fmt.Println("still running")

	for _, role := range []string{"stdout", "stderr", "notify", "ignore"} {
		run(role)
	}
}
