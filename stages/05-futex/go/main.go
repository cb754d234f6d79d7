// The Go side of stages 01 to 05: one exported function for the kernel to call.  The program
// stays the same while the kernel grows until, in stage 05, the runtime initialises and Main runs.
//
// Built with `go build -buildmode=c-archive`, which compiles the Go runtime, this package and
// cgo's C glue into libgoapp.a, and writes libgoapp.h declaring `void Main(void)`.
package main

import "C"

import "fmt"

//export Main
func Main() {
	fmt.Println("Hello World!")
}

// A c-archive still needs a main function; it is never called.
func main() {}
