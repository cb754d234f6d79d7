// The Go side of stage 06: "Hello World!" through fmt.Println, and the 2016 report's tests.
//
// Built with `go build -buildmode=c-archive` (libgoapp.a + libgoapp.h declaring
// `void Main(void)`).  The kernel passes the words of its command line that are not kernel
// options as os.Args[1:], so a checker scenario picks a test with its command line:
//
//	(none)   hello: print "Hello World!" and return (the domain powers off)
//	sleep    sleep and time: ten 100 ms sleeps, each stamped with the wall clock
//	cgo      call C from Go: the kernel's own C functions, through cgo
//	stress   goroutines and channels across threads, and a GC loop over several times memory
//	panic    a Go panic: Go's own message, then the domain stops with a crash code
package main

import "C"

import (
	"fmt"
	"os"
)

//export Main
func Main() {
	test := ""
	if len(os.Args) > 1 {
		test = os.Args[1]
	}
	// [book:test-switch]
	switch test {
	case "":
		fmt.Println("Hello World!")
	case "sleep":
		sleepAndTime()
	case "cgo":
		callC()
	case "stress":
		stress()
	case "panic":
		panic("something went wrong, on purpose")
	default:
		fmt.Printf("unknown test %q (known: sleep, cgo, stress, panic)\n", test)
	}
	// [book:test-switch-end]
}

// A c-archive still needs a main function; it is never called.
func main() {}
