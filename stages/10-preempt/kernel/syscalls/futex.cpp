// futex(2), the two operations Go's runtime uses (runtime/os_linux.go futexsleep/futexwakeup):
// FUTEX_WAIT_PRIVATE with a relative timeout and FUTEX_WAKE_PRIVATE.  "Private" only tells
// Linux the word is not shared between processes; there is one process here.
// Book: chapter 05-futex (book/stages/05-futex.md).
#include "../futex_table.hpp"
#include "../scheduler.hpp"
#include "errno.hpp"
#include "table.hpp"
#include "timespec.hpp"

namespace kernel::syscalls {
namespace {

constexpr uint64_t FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;

constinit FutexTable g_futexes;

void wake_thread(void* thread) { sched::wake(static_cast<Thread*>(thread)); }

}  // namespace

long sys_futex(const Args& c) {
    uint64_t address = c.a[0];
    uint64_t op = c.a[1] & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    auto value = static_cast<uint32_t>(c.a[2]);
    if (address % 4 != 0) return -kEINVAL;
    switch (op) {
        case FUTEX_WAIT: {
            // The check and the sleep are atomic because nothing else runs in between: the
            // kernel's own code is never preempted (preempt.cpp) and this is the only vCPU.
            if (__atomic_load_n(reinterpret_cast<uint32_t*>(address), __ATOMIC_ACQUIRE) != value) return -kEAGAIN;
            uint64_t deadline = 0;
            if (const auto* timeout = reinterpret_cast<const Timespec*>(c.a[3])) {
                if (!deadline_after(*timeout, &deadline)) return -kEINVAL;
                if (deadline == 0) deadline = 1;  // 0 means "no deadline" to block_until
            }
            FutexWaiter waiter;
            waiter.address = address;
            waiter.thread = sched::current();
            g_futexes.add(&waiter);
            sched::Wake how = sched::block_interruptible("a futex", deadline, false);
            if (how != sched::Wake::Woken && !waiter.woken) {
                g_futexes.remove(&waiter);
                return how == sched::Wake::Interrupted ? -kEINTR : -kETIMEDOUT;
            }
            return 0;
        }
        case FUTEX_WAKE:
            return static_cast<long>(g_futexes.wake(address, value, wake_thread));
        default:
            return -kENOSYS;
    }
}

}  // namespace kernel::syscalls
