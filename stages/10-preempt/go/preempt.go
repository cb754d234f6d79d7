package main

/*
// Counters of the kernel (kernel/go_api.cpp), weak for cgo's own test link (see cgo.go).
extern long kernel_preemptions(void) __attribute__((weak));
extern long kernel_sigurg_delivered(void) __attribute__((weak));
*/
import "C"

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// spin: a goroutine spinning in `for {}` -- a loop without calls, so without any point where
// it would give up its P by itself -- while the main goroutine ticks.  With one P
// (GOMAXPROCS 1, one vCPU) the ticks come only if Go preempts the spinner: its sysmon thread
// sees a goroutine running 10 ms and sends its thread SIGURG (tgkill); sysmon runs at all
// because the kernel switches the spinning thread out when its time slice ends; and the
// signal's handler makes the spinner call asyncPreempt.  runtime.GC() needs the same to stop
// the world.  (With GODEBUG=asyncpreemptoff=1 this program hangs at its first tick.)
func spinAndTick() {
	fmt.Println("GOMAXPROCS:", runtime.GOMAXPROCS(0))
	go func() {
		for {
		}
	}()
	runtime.Gosched() // the spinner runs; main is back only once it is preempted
	fmt.Println("a goroutine spins in for {}; the main goroutine ticks every 100 ms:")
	for i := 1; i <= 5; i++ {
		time.Sleep(100 * time.Millisecond)
		fmt.Println("tick", i)
	}
	runtime.GC()
	fmt.Println("runtime.GC() completed while the goroutine spins")
	reportPreemption()
}

// cpu: several goroutines with the same fixed amount of arithmetic (no calls in their loops)
// on one P.  Without preemption the first would finish before the second began; with it they
// take turns, so when the first finishes every one of them has started.  Each result is the
// same whatever the interleaving.
func cpuBound() {
	const workers = 4
	const rounds = 40_000_000
	results := make([]uint64, workers)
	var started, startedAtFirstFinish, finished atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			started.Add(1)
			x := uint64(w + 1)
			for i := 0; i < rounds; i++ {
				x = x*6364136223846793005 + 1442695040888963407 // Knuth's MMIX LCG
			}
			results[w] = x
			if finished.Add(1) == 1 {
				startedAtFirstFinish.Store(started.Load())
			}
		}(w)
	}
	wg.Wait()
	for w, x := range results {
		fmt.Printf("worker %d: %d rounds, result %#016x\n", w, rounds, x)
	}
	fmt.Printf("when the first worker finished, %d of %d had started: they took turns\n",
		startedAtFirstFinish.Load(), workers)
	reportPreemption()
}

// reportPreemption says whether the kernel's counters saw preemption (yes or no, so that the
// transcript does not depend on how many times).
func reportPreemption() {
	fmt.Println("the kernel switched threads in the middle of Go code:", C.kernel_preemptions() > 0)
	fmt.Println("the kernel delivered Go's preemption signal (SIGURG):", C.kernel_sigurg_delivered() > 0)
}
