// The Go side of stage 07: the 2016 report's name prompt answered from the console, and the
// report's other tests.
//
// Built with `go build -buildmode=c-archive` (libgoapp.a + libgoapp.h declaring
// `void Main(void)`).  The kernel passes the words of its command line that are not kernel
// options as os.Args[1:], so a checker scenario picks a test with its command line:
//
//	(none)   the name prompt: "Hello, what's your name? ", then "Hello, <name>" (console.go)
//	lines    read from console: every line typed back, until "bye"
//	paste    lines until "END", then their count, size and CRC-32
//	ticker   a goroutine ticks while the main goroutine waits for a name
//	nonblock the name prompt with fd 0 non-blocking: Go waits for it in the netpoller (epoll)
//	hello    print "Hello World!" and return (the domain powers off)
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
		greet()
	case "lines":
		readLines()
	case "paste":
		readPaste()
	case "ticker":
		tickWhileReading()
	case "nonblock":
		greetNonblocking()
	case "hello":
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
		fmt.Printf("unknown test %q (known: lines, paste, ticker, nonblock, hello, sleep, cgo, stress, panic)\n", test)
	}
	// [book:test-switch-end]
}

// A c-archive still needs a main function; it is never called.
func main() {}
