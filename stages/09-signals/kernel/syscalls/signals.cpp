// rt_sigaction, rt_sigprocmask, sigaltstack, kill, tkill, tgkill: the arguments decoded, the
// work done by signals/ (the actions, sending) and by the thread's own signal state (its mask
// and alternate stack, which delivery reads: signals/deliver.cpp).
// Book: chapters 05-futex and 09-signals (book/stages/05-futex.md, book/stages/09-signals.md).
#include "../scheduler.hpp"
#include "../signals/action.hpp"
#include "../signals/frame.hpp"
#include "../signals/send.hpp"
#include "errno.hpp"
#include "table.hpp"

namespace kernel::syscalls {
namespace {

constexpr uint64_t SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
constexpr uint64_t kSigsetBytes = 8;  // the kernel's sigset_t: the size argument must say so

// A sent signal's fate, as the call returns it and the log's note says it.
long sent(signals::Sent what) {
    switch (what) {
        case signals::Sent::Probe: return 0;
        case signals::Sent::OutOfRange: return -kEINVAL;
        case signals::Sent::Ignored: set_note("ignored"); return 0;
        case signals::Sent::NotDelivered: set_note("accepted, not delivered: only faults are delivered"); return 0;
    }
    return -kEINVAL;
}

}  // namespace

long sys_rt_sigaction(const Args& c) {
    if (c.a[3] != kSigsetBytes) return -kEINVAL;
    return signals::set_action(c.a[0], reinterpret_cast<const signals::KernelSigaction*>(c.a[1]),
                               reinterpret_cast<signals::KernelSigaction*>(c.a[2]));
}

long sys_rt_sigprocmask(const Args& c) {
    if (c.a[3] != kSigsetBytes) return -kEINVAL;
    Thread* self = sched::current();
    if (auto* old = reinterpret_cast<uint64_t*>(c.a[2])) *old = self->signal_mask;
    if (const auto* set = reinterpret_cast<const uint64_t*>(c.a[1])) {
        switch (c.a[0]) {
            case SIG_BLOCK: self->signal_mask |= *set; break;
            case SIG_UNBLOCK: self->signal_mask &= ~*set; break;
            case SIG_SETMASK: self->signal_mask = *set; break;
            default: return -kEINVAL;
        }
    }
    return 0;
}

long sys_sigaltstack(const Args& c) {
    Thread* self = sched::current();
    if (auto* old = reinterpret_cast<signals::StackT*>(c.a[1]))
        *old = signals::StackT{self->altstack_sp, self->altstack_flags, 0, self->altstack_size};
    if (const auto* ss = reinterpret_cast<const signals::StackT*>(c.a[0])) {
        self->altstack_sp = ss->sp;
        self->altstack_size = ss->size;
        self->altstack_flags = ss->flags;
    }
    return 0;
}

// The program is process 1 and the only one (getpid): a signal to any other is ESRCH.
// Go sends itself a signal after a fatal error in a c-archive: SIGABRT with the default
// action restored, to die the way a C program would (runtime.dieFromSignal).
long sys_kill(const Args& c) { return c.a[0] == 1 ? sent(signals::send(c.a[1])) : -kESRCH; }
long sys_tkill(const Args& c) { return sent(signals::send(c.a[1])); }
long sys_tgkill(const Args& c) { return c.a[0] == 1 ? sent(signals::send(c.a[2])) : -kESRCH; }

}  // namespace kernel::syscalls
