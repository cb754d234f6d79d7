package main

import (
	"fmt"
	"time"
)

// nil: what a nil pointer dereference does under this kernel.  The read of address 0 faults;
// the kernel delivers SIGSEGV to the handler Go installed, Go's sighandler makes the faulting
// goroutine call sigpanic, and that panics with Go's own runtime error, which a deferred
// recover catches like any other panic.  The second dereference is not recovered: Go prints
// its panic and traceback and the program dies of it, as it would on Linux.
func nilDereferences() {
	var missing *int
	fmt.Println("reading through a nil pointer, with recover:")
	fmt.Println("recovered:", readRecovered(missing))
	fmt.Println("the program carries on; now without recover:")
	fmt.Println(*missing)
	fmt.Println("not reached")
}

// readRecovered returns what recover caught, or the value if nothing panicked.
func readRecovered(p *int) (result any) {
	defer func() {
		if r := recover(); r != nil {
			result = r
		}
	}()
	return *p
}

// nilbench: the cost of one fault turned into a recovered panic, for tools/benchmark-signals.py
// (a benchmark, not a scenario: it prints a time).  Each round trip is the fault, the kernel's
// delivery, Go's handler, rt_sigreturn, sigpanic, the panic and the recover.
func nilBench() {
	const rounds = 2000
	var missing *int
	start := time.Now()
	for i := 0; i < rounds; i++ {
		readRecovered(missing)
	}
	elapsed := time.Since(start)
	fmt.Printf("nilbench: %d recovered nil dereferences in %.1f ms: %.1f us each\n", rounds,
		float64(elapsed.Microseconds())/1e3, float64(elapsed.Nanoseconds())/1e3/rounds)
}
