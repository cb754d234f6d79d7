// struct timespec as Linux's system calls take it (64-bit seconds and nanoseconds), and the
// one computation futex and nanosleep share: a relative timeout as a deadline in system time.
// Book: chapter 05-futex (book/stages/05-futex.md).
#pragma once

#include <stdint.h>

#include "../time/clock.hpp"

namespace kernel::syscalls {

struct Timespec {
    int64_t sec;
    int64_t nsec;
};

// The system time (ns) `relative` from now.  False for a timespec Linux rejects with EINVAL
// (negative, or nanoseconds not below a second).
inline bool deadline_after(const Timespec& relative, uint64_t* deadline) {
    if (relative.sec < 0 || relative.nsec < 0 || relative.nsec >= static_cast<int64_t>(time::kNsPerSec)) return false;
    *deadline = time::monotonic_ns() + static_cast<uint64_t>(relative.sec) * time::kNsPerSec +
                static_cast<uint64_t>(relative.nsec);
    return true;
}

}  // namespace kernel::syscalls
