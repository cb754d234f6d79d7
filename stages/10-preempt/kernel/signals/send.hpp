// Sending a signal (kill, tkill, tgkill, the console's ^C): what it does is decided as it is
// sent, as Linux decides it (kernel/signal.c: sig_ignored, complete_signal).
// Book: chapters 09-signals and 10-preempt (book/stages/09-signals.md, book/stages/10-preempt.md).
#pragma once

#include <stdint.h>

#include "../thread.hpp"

namespace kernel::signals {

// What became of a signal sent.  One whose action kills never comes back: the program ends.
enum class Sent {
    Probe,       // signal 0: only asks whether the target exists
    OutOfRange,  // not a signal number: EINVAL
    Ignored,     // SIG_IGN, or a default of "ignore": dropped
    Pending,     // it has a handler: the target takes it as it next leaves the kernel
};

// Signal sig sent to thread target:
//   - its action is the default and the default terminates: the program is killed (the
//     domain crashes, as a C program dies of the signal);
//   - it is ignored: dropped;
//   - it has a handler: pending for the target, which takes it as it next leaves the kernel
//     -- at the end of its time slice in Go code (the upcall), or as its system call returns
//     (arch/syscall_entry.S); a wait that a signal may end is cut short with EINTR.
Sent send(Thread* target, uint64_t sig);

// The thread a signal sent to the whole program goes to: one that does not block it (Linux's
// complete_signal), the caller first.
Thread* process_target(uint64_t sig);

}  // namespace kernel::signals
