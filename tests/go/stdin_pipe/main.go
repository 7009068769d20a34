// stdin_pipe: reads all of stdin from a pipe, in the small reads bufio makes, and reports
// what it got; any lost, repeated or reordered byte changes the hash.
package main

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
)

func main() {
	st, err := os.Stdin.Stat()
	if err != nil {
		fmt.Println("FAIL: stat stdin:", err)
		os.Exit(1)
	}
	fmt.Printf("stdin is a pipe: %v\n", st.Mode()&os.ModeNamedPipe != 0)

	h := sha256.New()
	r := bufio.NewReaderSize(os.Stdin, 4096)
	lines, bytes := 0, 0
	for {
		line, err := r.ReadString('\n')
		bytes += len(line)
		h.Write([]byte(line))
		if len(line) > 0 && line[len(line)-1] == '\n' {
			lines++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println("FAIL: read stdin:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("bytes: %d\nlines: %d\nsha256: %x\n", bytes, lines, h.Sum(nil))
}
