// clock_gettime, gettimeofday, nanosleep: time from Xen's clock (time/clock.cpp), sleeping on
// the scheduler's timer queue (the vCPU blocks in Xen when nothing else can run).
// Book: chapter 05-futex (book/stages/05-futex.md).
#include "../scheduler.hpp"
#include "../time/clock.hpp"
#include "errno.hpp"
#include "table.hpp"
#include "timespec.hpp"

namespace kernel::syscalls {
namespace {

// Linux clock ids (include/uapi/linux/time.h).
constexpr uint64_t CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
                   CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
                   CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;

void store(uint64_t ns, Timespec* out) {
    out->sec = static_cast<int64_t>(ns / time::kNsPerSec);
    out->nsec = static_cast<int64_t>(ns % time::kNsPerSec);
}

}  // namespace

long sys_clock_gettime(const Args& c) {
    auto* out = reinterpret_cast<Timespec*>(c.a[1]);
    if (!out) return -kEFAULT;
    switch (c.a[0]) {
        case CLOCK_REALTIME:
        case CLOCK_REALTIME_COARSE:
            store(time::realtime_ns(), out);
            return 0;
        case CLOCK_MONOTONIC:
        case CLOCK_MONOTONIC_RAW:
        case CLOCK_MONOTONIC_COARSE:
        case CLOCK_BOOTTIME:
        // One process on one vCPU that is never preempted by another process: its CPU time is
        // the time since boot, a fair upper bound for Go's profiler to use.
        case CLOCK_PROCESS_CPUTIME_ID:
        case CLOCK_THREAD_CPUTIME_ID:
            store(time::monotonic_ns(), out);
            return 0;
        default:
            return -kEINVAL;
    }
}

long sys_gettimeofday(const Args& c) {
    struct Timeval {
        int64_t sec, usec;
    };
    if (auto* tv = reinterpret_cast<Timeval*>(c.a[0])) {
        uint64_t ns = time::realtime_ns();
        tv->sec = static_cast<int64_t>(ns / time::kNsPerSec);
        tv->usec = static_cast<int64_t>(ns % time::kNsPerSec / 1000);
    }
    return 0;
}

long sys_nanosleep(const Args& c) {
    const auto* req = reinterpret_cast<const Timespec*>(c.a[0]);
    if (!req) return -kEFAULT;
    uint64_t deadline;
    if (!deadline_after(*req, &deadline)) return -kEINVAL;
    if (deadline <= time::monotonic_ns()) {
        sched::yield();
    } else if (sched::block_interruptible("nanosleep", deadline, false) == sched::Wake::Interrupted) {
        // A signal ended the sleep: the time left goes to *rem, as Linux's nanosleep(2).
        uint64_t now = time::monotonic_ns(), left = deadline > now ? deadline - now : 0;
        if (auto* rem = reinterpret_cast<Timespec*>(c.a[1]))
            *rem = Timespec{static_cast<int64_t>(left / time::kNsPerSec), static_cast<int64_t>(left % time::kNsPerSec)};
        return -kEINTR;
    }
    if (auto* rem = reinterpret_cast<Timespec*>(c.a[1])) *rem = Timespec{0, 0};
    return 0;
}

}  // namespace kernel::syscalls
