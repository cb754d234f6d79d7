// Preemption: time slices for Go code, the event upcall that ends them, and the switch points
// they create.
//
// A goroutine spinning without system calls never enters the kernel, so only an event can
// take the vCPU from it: events are unmasked while threads run, and the timer fires at the end
// of every time slice (time/timer.hpp).
// Xen enters hypervisor_callback (arch/upcall_entry.S), and on_upcall here decides:
//   - interrupted Go code is switched out at once (sched::preempt), with every register and
//     the FPU state saved, and when the thread runs again it gets any signal sent to it
//     meanwhile (SIGURG: Go's own goroutine preemption, signals/deliver.cpp);
//   - interrupted kernel code is never switched out: a switch is owed, and paid when that
//     thread next leaves a system call (on_return_to_go).
// Book: chapter 10-preempt (book/stages/10-preempt.md).
#pragma once

#include <stdint.h>

#include "traps.hpp"

namespace kernel::preempt {

// The vectors arch/upcall_entry.S puts in the TrapFrame: which code the upcall interrupted.
inline constexpr uint64_t kUpcallGo = 0x100, kUpcallKernel = 0x101;

// Registers hypervisor_callback with Xen, unmasks events and arms the first slice.
void init();

// Called on the way out of every system call (syscalls/dispatch.cpp): pays a switch owed by an
// upcall that interrupted the kernel, and arms a slice for the Go code about to run.
void on_return_to_go();

// What happened since boot, for the scheduler's line at poweroff.
struct Counters {
    uint64_t upcalls;            // event upcalls taken
    uint64_t slices_ended;       // ends of a time slice (time/timer.cpp counts them)
    uint64_t go_upcalls;         // upcalls that interrupted Go code
    uint64_t preemptions;        // ... and switched to another thread
    uint64_t syscall_switches;   // switches owed by an upcall in the kernel, paid at a syscall's exit
    uint64_t switch_ns;          // summed over the preemptions: upcall entry to the next thread running
};

Counters counters();
void print_stats();

// An event upcall (event_upcall, from arch/upcall_entry.S, with events masked): *f is the
// interrupted code, its vector kUpcallGo or kUpcallKernel.  Switches threads if Go code was
// interrupted at the end of its slice, delivers the thread's pending signals, arms a slice.
void on_upcall(traps::TrapFrame* f);

}  // namespace kernel::preempt

// From arch/upcall_entry.S, with events masked.
extern "C" void event_upcall(kernel::traps::TrapFrame* f);
