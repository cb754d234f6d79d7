// The clocks Go asks for: CLOCK_MONOTONIC from Xen's system time, CLOCK_REALTIME from the
// wall clock Xen keeps in shared_info plus that system time.
// Book: chapter 05-futex (book/stages/05-futex.md).
#pragma once

#include <stdint.h>

namespace kernel::time {

inline constexpr uint64_t kNsPerSec = 1000000000;

// Nanoseconds since the domain was built (never goes backwards).
uint64_t monotonic_ns();
// Nanoseconds since the Unix epoch.
uint64_t realtime_ns();
// The TSC frequency Xen's scaling factors imply.
uint64_t tsc_frequency_khz();

}  // namespace kernel::time
