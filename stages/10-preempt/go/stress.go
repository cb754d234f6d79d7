package main

import (
	"fmt"
	"runtime"
	"syscall"
)

// stress: goroutines locked to their own OS threads pass numbers through channels, so every
// send and receive wakes a thread blocked in futex on another kernel thread; then a GC loop
// allocates several times the guest's memory while keeping a small live set.
func stress() {
	// A token goes round a ring of workers, each locked to its own OS thread: all of them are
	// alive at once, so each needs an M (a kernel thread) of its own, and every hop wakes a
	// thread that sleeps in futex on another kernel thread.
	const workers = 4
	const rounds = 500
	ring := make([]chan int, workers)
	for i := range ring {
		ring[i] = make(chan int)
	}
	tids := make(chan int, workers)
	done := make(chan int)
	for w := 0; w < workers; w++ {
		go func(w int) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			tids <- syscall.Gettid()
			next := ring[(w+1)%workers]
			for {
				v, ok := <-ring[w]
				if !ok {
					return
				}
				if v == workers*rounds {
					done <- v
					continue
				}
				next <- v + 1
			}
		}(w)
	}
	ring[0] <- 1
	hops := <-done
	for _, c := range ring {
		close(c)
	}
	seen := map[int]bool{}
	for w := 0; w < workers; w++ {
		seen[<-tids] = true
	}
	fmt.Printf("a token went round %d goroutines %d times: %d hops\n", workers, rounds, hops)
	fmt.Printf("the %d goroutines ran on %d different kernel threads\n", workers, len(seen))

	// GC: 1 MiB blocks, 4 of them live at a time, 4x the guest's 32 MiB allocated in all.
	const block = 1 << 20
	const total_mib = 128
	live := make([][]byte, 4)
	for i := 0; i < total_mib; i++ {
		b := make([]byte, block)
		b[0], b[block-1] = byte(i), byte(i)
		live[i%len(live)] = b
		if i%16 == 15 {
			runtime.GC()
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("allocated %d MiB in 1 MiB blocks, 4 live at a time\n", total_mib)
	fmt.Printf("GC cycles ran: %v; live heap under 16 MiB: %v\n", ms.NumGC >= 8, ms.HeapAlloc < 16<<20)
}
