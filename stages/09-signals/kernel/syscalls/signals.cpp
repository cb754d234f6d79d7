// rt_sigaction, rt_sigprocmask, sigaltstack: the handlers, masks and alternate stacks that
// signal delivery uses (signals/deliver.cpp).
//
// From stage 09 a fault in Go code is delivered to the handler Go installed for it (SIGSEGV,
// SIGBUS, SIGFPE, SIGILL), on the alternate stack Go registered for the thread, with the mask
// the action asks for; rt_sigreturn (arch/syscall_entry.S) restores the context.  Signals
// sent with kill/tgkill are delivered when the target thread's time slice in Go code ends.
// Book: chapters 05-futex and 09-signals (book/stages/05-futex.md, book/stages/09-signals.md).
#include "../console.hpp"
#include "../panic.hpp"
#include "../scheduler.hpp"
#include "../signals/pending.hpp"
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
// preempt a goroutine that has run for 10 ms (runtime/preempt.go, signalM) and, after a fatal
// error in a c-archive, SIGABRT with the default action restored, to die the way a C program
// would (runtime.dieFromSignal).  As Linux decides at sending time: a signal whose action is
// the default and whose default is to terminate ends the program (the domain crashes); one
// that is ignored (SIG_IGN, or a default of "ignore") is dropped; one with a handler becomes
// pending for the target thread, which gets it as it next leaves the kernel: at the end of
// its time slice in Go code (the upcall), or as its system call returns (syscall_entry.S),
// a blocking call cut short with EINTR (signals/deliver.cpp, deliver_pending).
void deliver_later(Thread* target, uint64_t sig) {
    target->pending_signals |= signals::sigbit(static_cast<int>(sig));
    // A thread blocked in a system call is woken: the call says EINTR and the signal is
    // delivered on its way out.  A thread running or ready to run gets it when its time slice
    // ends or its next system call returns.
    sched::interrupt(target);
}

long send_signal(Thread* target, uint64_t sig) {
    if (sig == 0) return 0;  // "does the target exist?"
    if (sig > kSignals) return -kEINVAL;
    uint64_t handler = g_actions[sig].handler;
    bool ignored_by_default = sig == 17 || sig == 18 || sig == 23 || sig == 28;  // CHLD CONT URG WINCH
    if (handler == 0 && !ignored_by_default) {
        flush_log();
        console::printf("[syscall] signal %lu with its default action: the Go program is killed by it\n", sig);
        crash_domain();
    }
    if (handler <= 1) {
        set_note("ignored");
        return 0;
    }
    deliver_later(target, sig);
    set_note("pending: delivered when the thread leaves the kernel");
    return 0;
}

namespace {

// A signal sent to the process goes to a thread that does not block it (Linux's
// complete_signal), the caller first.
Thread* process_target(uint64_t sig) {
    Thread* self = sched::current();
    uint64_t bit = sig >= 1 && sig <= kSignals ? signals::sigbit(static_cast<int>(sig)) : 0;
    if (!(self->signal_mask & bit)) return self;
    for (int id = 1; id < 1024; ++id)
        if (Thread* t = sched::find(id); t && !(t->signal_mask & bit)) return t;
    return self;
}

}  // namespace

void signal_process(int sig) {
    auto s = static_cast<uint64_t>(sig);
    deliver_later(process_target(s), s);
}

long sys_kill(const Args& c) { return c.a[0] == 1 ? send_signal(process_target(c.a[1]), c.a[1]) : -kESRCH; }

long sys_tkill(const Args& c) {
    Thread* t = sched::find(static_cast<int>(c.a[0]));
    return t ? send_signal(t, c.a[1]) : -kESRCH;
}

long sys_tgkill(const Args& c) {
    Thread* t = c.a[0] == 1 ? sched::find(static_cast<int>(c.a[1])) : nullptr;
    return t ? send_signal(t, c.a[2]) : -kESRCH;
}

}  // namespace kernel::syscalls
