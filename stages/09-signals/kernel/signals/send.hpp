// Sending a signal to the program (kill, tkill, tgkill): what it does is decided as it is
// sent, as Linux decides it (kernel/signal.c: sig_ignored, complete_signal).
// Book: chapter 09-signals (book/stages/09-signals.md).
#pragma once

#include <stdint.h>

namespace kernel::signals {

// What became of a signal sent.  One whose action kills never comes back: the program ends.
enum class Sent {
    Probe,         // signal 0: only asks whether the target exists
    OutOfRange,    // not a signal number: EINVAL
    Ignored,       // SIG_IGN, or a default of "ignore": dropped
    NotDelivered,  // it has a handler, but this kernel delivers only the signals of faults
};

// Signal sig sent to the program:
//   - its action is the default and the default terminates: the program is killed (the
//     domain crashes, as a C program dies of the signal);
//   - it is ignored: dropped;
//   - it has a handler: accepted and dropped, because this kernel delivers synchronous
//     signals only (deliver.hpp) -- and no Go program here sends itself one: Go's only
//     sender of a handled signal is its asynchronous preemption, SIGURG, off (rt0.cpp).
Sent send(uint64_t sig);

}  // namespace kernel::signals
