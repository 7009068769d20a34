// Writing to a pipe whose reader is gone returns EPIPE to a Go program (its SIGPIPE
// handler ignores the signal for descriptors other than stdout and stderr).
package main

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func main() {
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Println("pipe:", err)
		os.Exit(1)
	}
	r.Close()
	_, err = w.Write([]byte("hello"))
	fmt.Println("write error is EPIPE:", errors.Is(err, syscall.EPIPE))
	fmt.Println("still running")
}
