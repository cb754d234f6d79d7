package main

import (
	"fmt"
	"runtime"
	"syscall"
)

// oom: memory mapped MAP_NORESERVE ("do not reserve swap space", mmap(2)) promises no frames,
// so a page of it takes a frame only when first touched, from the frames nobody was promised.
// This program maps twice the guest's memory that way and touches it page by page; when a
// page finds no frame, the kernel cannot back the fault.  It says "out of memory" and kills
// the program, as Linux's OOM killer would (SIGKILL, which no handler sees): the shortage is
// the kernel's, so the fault is not delivered to Go as a SIGSEGV that blames the program.
func outOfMemory() {
	const size = 64 << 20
	mem, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_NORESERVE)
	if err != nil {
		fmt.Println("mmap:", err)
		return
	}
	fmt.Printf("touching a %d MiB MAP_NORESERVE mapping page by page, more than the guest has\n", size>>20)
	for i := 0; i < len(mem); i += 4096 {
		mem[i] = 1
	}
	fmt.Println("not reached: every page found a frame")
}

// oomrt: the same shortage met by Go's runtime first.  runtime.MemProfileRate = 1 records the
// stack of every allocation, and every object gets a finalizer; both records live in the
// runtime's off-heap bookkeeping (persistentalloc), which is mapped MAP_NORESERVE too, so its
// pages may be the ones that find no frame -- or the heap's next commit may fail first and Go
// reports "runtime: out of memory" itself.  Which comes first depends on when the GC runs, so
// this is a test to try by hand, not a scenario.
func outOfMemoryInTheRuntime() {
	runtime.MemProfileRate = 1
	fmt.Println("allocating objects with finalizers, every allocation profiled, until memory runs out")
	var list *oomNode
	for {
		n := &oomNode{next: list}
		runtime.SetFinalizer(n, func(*oomNode) {})
		list = n
	}
}

type oomNode struct {
	next *oomNode
	_    uint64
}
