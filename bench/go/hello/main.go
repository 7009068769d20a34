// hello: prints one line and exits. Timed from outside (bench/measure), so it measures
// the start-up and exit of the whole process; its peak RSS is the baseline for asis's
// own memory share.
package main

import "fmt"

func main() {
	fmt.Println("hello")
}
