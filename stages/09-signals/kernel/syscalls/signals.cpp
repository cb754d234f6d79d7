// rt_sigaction, rt_sigprocmask, sigaltstack: the handlers, masks and alternate stacks that
// signal delivery uses (signals/deliver.cpp).
//
// From stage 09 a fault in Go code is delivered to the handler Go installed for it (SIGSEGV,
// SIGBUS, SIGFPE, SIGILL), on the alternate stack Go registered for the thread, with the mask
// the action asks for; rt_sigreturn (arch/syscall_entry.S) restores the context.  Signals
// sent with kill/tgkill are still accepted and dropped unless their default action kills:
// asynchronous delivery comes with preemption, later.
// Book: chapters 05-futex and 09-signals (book/stages/05-futex.md, book/stages/09-signals.md).
#include "../console.hpp"
#include "../panic.hpp"
#include "../scheduler.hpp"
#include "errno.hpp"
#include "sigaction.hpp"
#include "table.hpp"

namespace kernel::syscalls {
namespace {

constexpr int kSignals = 64;
KernelSigaction g_actions[kSignals + 1];

struct StackT {
    uint64_t sp;
    int32_t flags;
    int32_t pad;
    uint64_t size;
};

constexpr uint64_t SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;

}  // namespace

const KernelSigaction& action_of(int sig) {
    static const KernelSigaction none{};
    return sig >= 1 && sig <= kSignals ? g_actions[sig] : none;
}

long sys_rt_sigaction(const Args& c) {
    uint64_t sig = c.a[0];
    if (sig < 1 || sig > kSignals || c.a[3] != 8) return -kEINVAL;
    if (sig == 9 || sig == 19) {  // SIGKILL and SIGSTOP cannot be caught (Linux: EINVAL)
        if (c.a[1]) return -kEINVAL;
    }
    if (auto* old = reinterpret_cast<KernelSigaction*>(c.a[2])) *old = g_actions[sig];
    if (const auto* act = reinterpret_cast<const KernelSigaction*>(c.a[1])) g_actions[sig] = *act;
    return 0;
}

long sys_rt_sigprocmask(const Args& c) {
    if (c.a[3] != 8) return -kEINVAL;
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
    if (auto* old = reinterpret_cast<StackT*>(c.a[1]))
        *old = StackT{self->altstack_sp, self->altstack_flags, 0, self->altstack_size};
    if (const auto* ss = reinterpret_cast<const StackT*>(c.a[0])) {
        self->altstack_sp = ss->sp;
        self->altstack_size = ss->size;
        self->altstack_flags = ss->flags;
    }
    return 0;
}

}  // namespace kernel::syscalls

namespace kernel::syscalls {

// kill, tkill, tgkill aimed at this program.  Go sends itself a signal in two cases: SIGURG to
// preempt a goroutine (off here, see rt0.cpp) and, after a fatal error in a c-archive, SIGABRT
// with the default action restored, to die the way a C program would (runtime.dieFromSignal).
// So a signal whose action is the default and whose default is to terminate ends the program:
// the domain crashes.  One with a handler or ignored is accepted and dropped, since handlers
// never run here (the note in the log says so).
long sys_kill_signal(uint64_t sig) {
    if (sig == 0) return 0;  // "does the target exist?"
    if (sig > kSignals) return -kEINVAL;
    uint64_t handler = g_actions[sig].handler;
    bool ignored_by_default = sig == 17 || sig == 18 || sig == 23 || sig == 28;  // CHLD CONT URG WINCH
    if (handler == 0 && !ignored_by_default) {
        flush_log();
        console::printf("[syscall] signal %lu with its default action: the Go program is killed by it\n", sig);
        crash_domain();
    }
    set_note("accepted; handlers never run here");
    return 0;
}

long sys_kill(const Args& c) { return c.a[0] == 1 ? sys_kill_signal(c.a[1]) : -kESRCH; }
long sys_tkill(const Args& c) { return sys_kill_signal(c.a[1]); }
long sys_tgkill(const Args& c) { return c.a[0] == 1 ? sys_kill_signal(c.a[2]) : -kESRCH; }

}  // namespace kernel::syscalls
