package main

/*
// Functions of the kernel (kernel/go_api.cpp).  Declared weak: when cgo links its own test
// object at build time the kernel is not there; the kernel's final link supplies them.
// [book:weak-declarations]
extern long kernel_describe(char *buf, long size) __attribute__((weak));
extern long kernel_thread_count(void) __attribute__((weak));
extern long kernel_free_frames(void) __attribute__((weak));
// [book:weak-declarations-end]
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// callC: Go calls into the kernel through cgo (runtime.cgocall: switch to the g0 stack, call
// the C function with the C ABI, come back).
func callC() {
	buf := make([]byte, 96)
	n := C.kernel_describe((*C.char)(unsafe.Pointer(&buf[0])), C.long(len(buf)))
	fmt.Printf("C says: %s\n", buf[:n])
	fmt.Printf("kernel threads right now: more than 2: %v\n", C.kernel_thread_count() > 2)
	fmt.Printf("free memory frames: some left: %v\n", C.kernel_free_frames() > 0)
}
