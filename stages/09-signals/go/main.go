// The Go side of stage 09: faults become Go panics (signals.go, mprotect.go), beside the
// 2016 report's ping answered by a network stack in Go (net, ping.go and netstack/) and the
// console tests.
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
//	net      answer ping on /dev/vif0 and ping from the console (ping.go, package netstack)
//	nil      a nil dereference recovered by its caller, then one not recovered (signals.go)
//	nilbench the time of one recovered nil dereference (tools/benchmark-signals.py)
//	mprotect a write to memory made read-only, caught with SetPanicOnFault (mprotect.go)
//	oom      a MAP_NORESERVE mapping larger than memory, touched: the kernel kills the program (oom.go)
//	oomrt    the runtime's own bookkeeping runs out of memory (oom.go)
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
	case "net":
		netMain(os.Args)
	case "nil":
		nilDereferences()
	case "nilbench":
		nilBench()
	case "mprotect":
		mprotectFaults()
	case "oom":
		outOfMemory()
	case "oomrt":
		outOfMemoryInTheRuntime()
	default:
		fmt.Printf("unknown test %q (known: lines, paste, ticker, nonblock, hello, sleep, cgo, stress, panic, net, nil, nilbench, mprotect, oom, oomrt)\n", test)
	}
	// [book:test-switch-end]
}

// A c-archive still needs a main function; it is never called.
func main() {}
