// Book: chapter 09-signals (book/stages/09-signals.md).
#include "send.hpp"

#include "../console.hpp"
#include "../panic.hpp"
#include "action.hpp"
#include "numbers.hpp"

namespace kernel::signals {
namespace {

// signal(7): the signals whose default action is "Ign"; every other default here ends the
// program ("Term" or "Core"; "Stop" and "Cont" have no job control to act on).
bool ignored_by_default(int sig) { return sig == kSigchld || sig == kSigcont || sig == kSigurg || sig == kSigwinch; }

}  // namespace

Sent send(uint64_t sig) {
    if (sig == 0) return Sent::Probe;
    if (sig > kSignals) return Sent::OutOfRange;
    int s = static_cast<int>(sig);
    uint64_t handler = action_of(s).handler;
    if (handler == kSigDefault && !ignored_by_default(s)) {
        console::printf("[syscall] signal %d with its default action: the Go program is killed by it\n", s);
        crash_domain();
    }
    return handler == kSigDefault || handler == kSigIgnore ? Sent::Ignored : Sent::NotDelivered;
}

}  // namespace kernel::signals
