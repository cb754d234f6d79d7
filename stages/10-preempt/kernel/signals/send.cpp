// Book: chapters 09-signals and 10-preempt (book/stages/09-signals.md, book/stages/10-preempt.md).
#include "send.hpp"

#include "../console.hpp"
#include "../panic.hpp"
#include "../scheduler.hpp"
#include "action.hpp"
#include "numbers.hpp"
#include "sigset.hpp"

namespace kernel::signals {
namespace {

// signal(7): the signals whose default action is "Ign"; every other default here ends the
// program ("Term" or "Core"; "Stop" and "Cont" have no job control to act on).
bool ignored_by_default(int sig) { return sig == kSigchld || sig == kSigcont || sig == kSigurg || sig == kSigwinch; }

}  // namespace

Sent send(Thread* target, uint64_t sig) {
    if (sig == 0) return Sent::Probe;
    if (sig > kSignals) return Sent::OutOfRange;
    int s = static_cast<int>(sig);
    uint64_t handler = action_of(s).handler;
    if (handler == kSigDefault && !ignored_by_default(s)) {
        console::printf("[syscall] signal %d with its default action: the Go program is killed by it\n", s);
        crash_domain();
    }
    if (handler == kSigDefault || handler == kSigIgnore) return Sent::Ignored;
    target->pending_signals |= sigbit(s);
    // A thread blocked in an interruptible wait is woken, unless it blocks the signal (Linux:
    // wants_signal): the call says EINTR and the signal is delivered on its way out.  A thread
    // running or ready to run gets it when its time slice ends or its next system call returns.
    if (!(target->signal_mask & sigbit(s))) sched::interrupt(target);
    return Sent::Pending;
}

Thread* process_target(uint64_t sig) {
    Thread* self = sched::current();
    uint64_t bit = sig >= 1 && sig <= kSignals ? sigbit(static_cast<int>(sig)) : 0;
    if (!(self->signal_mask & bit)) return self;
    for (Thread* t = sched::all_threads(); t; t = t->all_next)
        if (t->state != ThreadState::Dead && !(t->signal_mask & bit)) return t;
    return self;
}

}  // namespace kernel::signals
