// Signal sets as Linux keeps them: one bit per signal, bit sig - 1 (a 64-bit sigset_t), and
// the two decisions made with them -- which pending signal is delivered next, and what a
// handler runs with blocked.  Apart from deliver.cpp so the host tests can check them.
// Book: chapter 09-signals (book/stages/09-signals.md).
#pragma once

#include <stdint.h>

namespace kernel::signals {

inline constexpr uint64_t sigbit(int sig) { return uint64_t{1} << (sig - 1); }

// SIGKILL and SIGSTOP can be neither blocked nor caught (Linux: sigdelsetmask in
// sigprocmask and in the handler's mask).
inline constexpr uint64_t kUnblockable = sigbit(9) | sigbit(19);

// The pending signal delivered next: the lowest-numbered one not blocked (Linux's
// next_signal takes the synchronous ones first, then the lowest; only sent signals are ever
// pending here, faults are delivered at once).  0 if none.
inline int next_signal(uint64_t pending, uint64_t blocked) {
    uint64_t ready = pending & ~blocked;
    return ready == 0 ? 0 : __builtin_ctzll(ready) + 1;
}

// The mask a handler runs with: the thread's, plus sa_mask, plus the signal itself unless
// SA_NODEFER (Linux: signal_setup_done / sigorsets).
inline uint64_t mask_in_handler(uint64_t thread_mask, uint64_t sa_mask, int sig, bool nodefer) {
    uint64_t block = sa_mask | (nodefer ? 0 : sigbit(sig));
    return (thread_mask | block) & ~kUnblockable;
}

}  // namespace kernel::signals
