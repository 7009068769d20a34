// panic: an unrecovered panic runs deferred calls, prints "panic: ..." and a goroutine
// trace on stderr, and exits with status 2. The trace has addresses, so only its first
// line is compared.
package main

import "fmt"

func main() {
	defer fmt.Println("deferred call ran")
	fmt.Println("about to panic")
	deeper(3)
}

func deeper(n int) {
	if n == 0 {
		panic(fmt.Sprintf("asis test panic (%d)", 42))
	}
	deeper(n - 1)
}
