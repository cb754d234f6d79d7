// The Go side of this stage: one exported function for the kernel to call.  Main can run only
// once the Go runtime has initialised; how far this stage's kernel gets is in its main.cpp.
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
