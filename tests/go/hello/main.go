// hello: the smallest Go program; if this fails, nothing else will work.
package main

import "fmt"

func main() {
	fmt.Println("hello, world")
}
