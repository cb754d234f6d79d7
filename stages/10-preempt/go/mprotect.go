package main

import (
	"fmt"
	"runtime/debug"
	"syscall"
	"unsafe"
)

// mprotect: memory made read-only with syscall.Mprotect, and the write that breaks the rule.
// The write faults on a page that is mapped but not writable; the kernel delivers SIGSEGV
// (si_code SEGV_ACCERR, si_addr the page) to Go's handler, and because the goroutine asked
// for it with debug.SetPanicOnFault, Go's sigpanic turns a fault at a non-nil address into a
// panic too (without it, Go says "unexpected fault address" and dies).  The panic's value
// knows the address (runtime.Error with an Addr method).  Then PROT_NONE: even reading
// faults; and access given back finds the data still there (mprotect keeps contents).
func mprotectFaults() {
	page, err := syscall.Mmap(-1, 0, 4096, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Println("mmap:", err)
		return
	}
	page[0] = 42
	if err := syscall.Mprotect(page, syscall.PROT_READ); err != nil {
		fmt.Println("mprotect:", err)
		return
	}
	fmt.Println("the page is read-only now; it still reads", page[0])
	debug.SetPanicOnFault(true)
	fmt.Println("writing to it, with SetPanicOnFault and recover:")
	err = faultRecovered(func() { page[0] = 7 })
	fmt.Println("recovered:", err)
	if withAddr, ok := err.(interface{ Addr() uintptr }); ok {
		fmt.Println("the fault's address is the page's:", withAddr.Addr() == uintptr(unsafe.Pointer(&page[0])))
	}
	if err := syscall.Mprotect(page, syscall.PROT_NONE); err != nil {
		fmt.Println("mprotect:", err)
		return
	}
	fmt.Println("no access at all now; reading it:")
	fmt.Println("recovered:", faultRecovered(func() { sink = page[0] }))
	if err := syscall.Mprotect(page, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		fmt.Println("mprotect:", err)
		return
	}
	page[0]++
	fmt.Println("writable again; it holds", page[0])
	if err := syscall.Munmap(page); err != nil {
		fmt.Println("munmap:", err)
		return
	}
	// Linux's answer for a range with nothing mapped: ENOMEM.
	fmt.Println("mprotect after munmap:", syscall.Mprotect(page, syscall.PROT_READ))
}

// sink keeps a load the program only makes to fault from being optimised away.
var sink byte

// faultRecovered runs f and returns what a deferred recover caught (an error), or nil.
func faultRecovered(f func()) (caught error) {
	defer func() {
		if r := recover(); r != nil {
			caught, _ = r.(error)
		}
	}()
	f()
	return nil
}
