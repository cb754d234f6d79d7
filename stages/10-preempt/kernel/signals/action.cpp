// Book: chapter 09-signals (book/stages/09-signals.md).
#include "action.hpp"

#include "../syscalls/errno.hpp"
#include "numbers.hpp"

namespace kernel::signals {
namespace {

KernelSigaction g_actions[kSignals + 1];

}  // namespace

const KernelSigaction& action_of(int sig) {
    static const KernelSigaction none{};
    return sig >= 1 && sig <= kSignals ? g_actions[sig] : none;
}

long set_action(uint64_t sig, const KernelSigaction* act, KernelSigaction* old) {
    if (sig < 1 || sig > kSignals) return -syscalls::kEINVAL;
    // SIGKILL and SIGSTOP cannot be caught, ignored or given a handler (Linux: EINVAL).
    if (act && (sig == kSigkill || sig == kSigstop)) return -syscalls::kEINVAL;
    if (old) *old = g_actions[sig];
    if (act) g_actions[sig] = *act;
    return 0;
}

}  // namespace kernel::signals
