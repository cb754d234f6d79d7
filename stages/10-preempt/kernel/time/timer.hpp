// Sleeping the vCPU until a deadline: Xen's single-shot timer and SCHEDOP_poll.
//
// The idle path arms the timer (HYPERVISOR_set_timer_op, which raises VIRQ_TIMER at the
// deadline) and polls the timer's event channel with SCHEDOP_poll: the vCPU is descheduled
// until the event or the deadline.  The same timer also ends time slices: while Go code runs,
// VIRQ_TIMER fires every kSliceNs and its upcall may switch threads (preempt.cpp).  One
// single-shot timer serves both: a wait takes it over, and the next return to Go code arms a
// fresh slice.
// Book: chapter 05-futex (book/stages/05-futex.md).
#pragma once

#include <stdint.h>

#include "../xen.hpp"

namespace kernel::time {

// Binds VIRQ_TIMER to an event channel.
void init_timer();

// Blocks the vCPU until system time `deadline_ns` (0: no deadline), or until an event arrives
// on the timer's channel or on one of the channels given to also_wake_on.
void wait_until(uint64_t deadline_ns);

// Makes the idle vCPU wake for events on `port` too (a device's channel, the console's among
// them): it is polled together with the timer's, so input ends the wait at once.
void also_wake_on(evtchn_port_t port);

// [book:slice]
// A time slice: how long a thread runs Go code before the timer's upcall may switch it out.
// 10 ms is also how long Go's sysmon lets a goroutine run before it asks for its preemption
// (runtime/proc.go, forcePreemptNS).
inline constexpr uint64_t kSliceNs = 10'000'000;

// Arms the timer for the end of a slice from now, unless a slice is already running.
void arm_slice();
// From the upcall: true (once) if the running slice has ended; clears the timer's event so
// that its next firing raises an upcall again.
bool take_slice_end();
// How many slices have ended since boot.
uint64_t slices_ended();
// [book:slice-end]

}  // namespace kernel::time
