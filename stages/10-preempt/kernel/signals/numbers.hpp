// The signal numbers of x86-64 Linux that this kernel acts on (arch/x86/include/uapi/asm/
// signal.h), and how many signals there are: the system calls' sigset_t has 64 bits.
// Book: chapter 09-signals (book/stages/09-signals.md).
#pragma once

namespace kernel::signals {

inline constexpr int kSignals = 64;

// Named kSigsegv, not SIGSEGV: the host tests include <signal.h>, whose macros own the Linux
// names (the same holds for the si_code, sa_flags and ss_flags values in frame.hpp).
inline constexpr int kSigint = 2, kSigill = 4, kSigtrap = 5, kSigabrt = 6, kSigbus = 7, kSigfpe = 8, kSigkill = 9,
                     kSigsegv = 11, kSigchld = 17, kSigcont = 18, kSigstop = 19, kSigurg = 23, kSigwinch = 28;

}  // namespace kernel::signals
