// Sleeping the vCPU until a deadline: Xen's single-shot timer and SCHEDOP_poll.
//
// Event delivery stays masked for the whole life of the kernel (a cooperative kernel has no
// use for asynchronous upcalls, and Xen would push their frames onto whatever goroutine stack
// is running).  So instead of enabling events and SCHEDOP_block, the idle path arms the timer
// (HYPERVISOR_set_timer_op, which raises VIRQ_TIMER at the deadline) and polls the timer's
// event channel with SCHEDOP_poll: the vCPU is descheduled until the event or the deadline.
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

}  // namespace kernel::time
