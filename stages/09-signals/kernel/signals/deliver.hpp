// Synchronous signals: a fault in Go code that Go has a handler for runs that handler, as
// Linux would deliver it (frame.hpp); rt_sigreturn resumes the context the handler left.
// Book: chapter 09-signals (book/stages/09-signals.md).
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

}  // namespace kernel::signals

// rt_sigreturn, from arch/syscall_entry.S with the ucontext the restorer's CALL sits under:
// restores the signal mask and the FPU state, and returns the register context to resume.
extern "C" const kernel::signals::SigContext* signal_return(uint64_t ucontext);
