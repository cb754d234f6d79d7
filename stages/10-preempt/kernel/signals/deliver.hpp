// Signals: a fault in Go code that Go has a handler for runs that handler, as Linux would
// deliver it (frame.hpp), and so does a signal sent with kill or tgkill (send.hpp), when the
// thread next leaves the kernel; rt_sigreturn resumes the context the handler left.
// Book: chapters 09-signals and 10-preempt (book/stages/09-signals.md, book/stages/10-preempt.md).
#pragma once

#include <stdint.h>

#include "../traps.hpp"
#include "frame.hpp"

namespace kernel::signals {

// Turns the fault in *f into signal `sig` (si_code `code`, si_addr `addr`) for the running
// thread: builds the frame on its signal stack and points *f at the handler, so that the
// trap's return enters it.  False, with *why saying it in a few words, when the kernel must
// report the fault itself: no handler, the signal blocked, or the fault in the kernel's code.
bool deliver_fault(traps::TrapFrame* f, int sig, int code, uint64_t addr, const char** why);

// An asynchronous signal: if the running thread, interrupted as *f in Go code (the event
// upcall, preempt.cpp) or leaving a system call, has a signal pending that it does not
// block, builds its frame as for a fault, with SI_TKILL for si_code.  Returns the signal, 0
// if none was delivered.
int deliver_pending(traps::TrapFrame* f);

// How many sent signals were delivered since boot, and how many of those were SIGURG (the
// scheduler's line at poweroff, go/preempt.go).
uint64_t delivered_async();
uint64_t delivered_urg();

}  // namespace kernel::signals

// From arch/syscall_entry.S on the way out of a system call: whether the thread has a signal
// to take now, and the delivery itself, with the caller's registers laid out as a TrapFrame
// whose rip is the call's return address.
extern "C" int signal_waiting();
extern "C" void deliver_on_syscall_exit(kernel::traps::TrapFrame* f);

// rt_sigreturn, from arch/syscall_entry.S with the ucontext the restorer's CALL sits under:
// restores the signal mask and the FPU state, and returns the register context to resume.
extern "C" const kernel::signals::SigContext* signal_return(uint64_t ucontext);
