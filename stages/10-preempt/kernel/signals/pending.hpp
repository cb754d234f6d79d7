// Signals sent to a thread and not delivered yet (Thread::pending_signals, a sigset), and
// which of them is delivered next.  Apart from deliver.cpp so the host tests can check it.
// Book: chapter 10-preempt (book/stages/10-preempt.md).
#pragma once

#include <stdint.h>

#include "sigset.hpp"

namespace kernel::signals {

// The pending signal delivered next: the lowest-numbered one not blocked (Linux's
// next_signal takes the synchronous ones first, then the lowest; only sent signals are ever
// pending here, faults are delivered at once).  0 if none.
inline int next_signal(uint64_t pending, uint64_t blocked) {
    uint64_t ready = pending & ~blocked;
    return ready == 0 ? 0 : __builtin_ctzll(ready) + 1;
}

}  // namespace kernel::signals
