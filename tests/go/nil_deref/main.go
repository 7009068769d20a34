// nil_deref: faults in Go code become recoverable panics. A nil dereference and a call
// through a nil func value fault (SIGSEGV, SEGV_MAPERR near 0) and the runtime's handler
// turns them into panics; a write to a read-only page faults with SEGV_ACCERR, which
// only debug.SetPanicOnFault turns into a panic (else the runtime throws), carrying the
// fault address from si_addr; so does a read of a PROT_NONE page. Division by zero and a slice out of range are checked by
// compiled code (no signal on amd64): controls.
package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"syscall"
	"unsafe"
)

type big struct {
	pad   [4096]byte
	field int
}

var sink int

// try runs f and prints what it panicked with: the message, whether it is a
// runtime.Error, and for faults whether the address it reports is want.
func try(name string, want uintptr, f func()) {
	defer func() {
		r := recover()
		if r == nil {
			fmt.Printf("%s: no panic\n", name)
			return
		}
		err, isErr := r.(error)
		_, isRuntime := r.(runtime.Error)
		msg := fmt.Sprint(r)
		if isErr {
			msg = err.Error()
		}
		fmt.Printf("%s: %q runtime.Error=%v", name, msg, isRuntime)
		if a, ok := r.(interface{ Addr() uintptr }); ok {
			fmt.Printf(" addr-is-fault-address=%v", a.Addr() == want)
		}
		fmt.Println()
	}()
	f()
}

//go:noinline
func load(p *int) int { return *p }

//go:noinline
func loadField(p *big) int { return p.field }

//go:noinline
func call(f func()) { f() }

//go:noinline
func divide(a, b int) int { return a / b }

//go:noinline
func index(s []int, i int) int { return s[i] }

func main() {
	try("nil pointer load", 0, func() { sink = load(nil) })
	try("nil struct field at offset 4096", 0, func() { sink = loadField(nil) })
	try("nil func call", 0, func() { call(nil) })
	try("nil deref in a goroutine", 0, func() {
		done := make(chan string)
		go func() {
			defer func() { done <- fmt.Sprint(recover()) }()
			sink = load(nil)
		}()
		panic("goroutine recovered: " + <-done)
	})

	// Two read-only pages; the second one then made inaccessible.
	mem, err := syscall.Mmap(-1, 0, 8192, syscall.PROT_READ, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Println("mmap:", err)
		return
	}
	page, guard := mem[:4096], mem[4096:]
	fmt.Println("mprotect PROT_NONE:", syscall.Mprotect(guard, syscall.PROT_NONE))
	addr := uintptr(unsafe.Pointer(&page[0]))
	old := debug.SetPanicOnFault(true)
	fmt.Println("panic on fault was off:", !old)
	try("write to a read-only page", addr+100, func() { page[100] = 1 })
	fmt.Println("page unchanged:", page[100] == 0)
	try("write to a read-only page again", addr, func() { page[0] = 1 })
	try("read from a PROT_NONE page", addr+4096+8, func() { sink = int(guard[8]) })
	debug.SetPanicOnFault(old)

	try("integer divide by zero", 0, func() { sink = divide(1, 0) })
	try("slice index out of range", 0, func() { sink = index([]int{1, 2, 3}, 5) })
	fmt.Println("still running")
}
