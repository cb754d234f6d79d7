package main

import (
	"fmt"
	"time"
)

// sleepAndTime: time.Sleep goes through the runtime's timers and netpoller (epoll_pwait with a
// timeout), the kernel blocks the vCPU on Xen's timer; time.Now reads CLOCK_REALTIME and
// CLOCK_MONOTONIC.  Each line shows the wall clock and the monotonic time since the last one;
// the checker's rules accept any plausible date and any interval from 100 to 150 ms.
func sleepAndTime() {
	const ticks = 10
	const interval = 100 * time.Millisecond
	fmt.Printf("sleeping %d times for %v\n", ticks, interval)
	last := time.Now()
	for i := 1; i <= ticks; i++ {
		time.Sleep(interval)
		now := time.Now()
		gap := now.Sub(last) // monotonic: time.Now carries both clocks
		last = now
		// [book:tick-line]
		fmt.Printf("tick %2d  %s  +%.1fms\n", i, now.UTC().Format("2006-01-02T15:04:05.000Z"),
			float64(gap.Microseconds())/1000)
		// [book:tick-line-end]
	}
	fmt.Println("done")
}
