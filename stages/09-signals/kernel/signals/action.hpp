// What the program asked each signal to do: struct sigaction as the rt_sigaction system call
// takes it (arch/x86/include/uapi/asm/signal.h, with the system call's 64-bit signal set, not
// libc's 1024-bit one), one per signal, kept here for delivery (deliver.cpp) and sending
// (send.cpp); the system call only decodes its arguments (syscalls/signals.cpp).
// Book: chapter 09-signals (book/stages/09-signals.md).
#pragma once

#include <stdint.h>

namespace kernel::signals {

struct KernelSigaction {
    uint64_t handler;  // SIG_DFL 0, SIG_IGN 1, else the handler's address
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

inline constexpr uint64_t kSigDefault = 0, kSigIgnore = 1;  // SIG_DFL, SIG_IGN

// What rt_sigaction last set for signal sig (1..kSignals); all zero (SIG_DFL) if nothing did.
const KernelSigaction& action_of(int sig);

// rt_sigaction: stores *act (if given) for sig after copying the old action to *old (if
// given).  -EINVAL for a signal out of range, or a new action for SIGKILL or SIGSTOP.
long set_action(uint64_t sig, const KernelSigaction* act, KernelSigaction* old);

}  // namespace kernel::signals
