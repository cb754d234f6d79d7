// Signal sets as Linux keeps them: one bit per signal, bit sig - 1 (a 64-bit sigset_t), and
// the mask a handler runs with.  Apart from deliver.cpp so the host tests can check them.
// Book: chapter 09-signals (book/stages/09-signals.md).
#pragma once

#include <stdint.h>

#include "numbers.hpp"

namespace kernel::signals {

inline constexpr uint64_t sigbit(int sig) { return uint64_t{1} << (sig - 1); }

// SIGKILL and SIGSTOP can be neither blocked nor caught (Linux: sigdelsetmask in
// sigprocmask and in the handler's mask).
inline constexpr uint64_t kUnblockable = sigbit(kSigkill) | sigbit(kSigstop);

// The mask a handler runs with: the thread's, plus sa_mask, plus the signal itself unless
// SA_NODEFER (Linux: signal_setup_done / sigorsets).
inline uint64_t mask_in_handler(uint64_t thread_mask, uint64_t sa_mask, int sig, bool nodefer) {
    uint64_t block = sa_mask | (nodefer ? 0 : sigbit(sig));
    return (thread_mask | block) & ~kUnblockable;
}

}  // namespace kernel::signals
