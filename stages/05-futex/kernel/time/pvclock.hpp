// Xen's clock arithmetic (xen.h, struct vcpu_time_info):
//
//     system time (ns since the domain was built) =
//         system_time + ((((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32)
//
// with a negative tsc_shift meaning a right shift.  Xen refreshes the snapshot now and then;
// between refreshes the guest extrapolates with its own TSC.  Kept apart from the code that
// reads shared_info so it can be tested on the host.
// Book: chapter 05-futex (book/stages/05-futex.md).
#pragma once

#include <stdint.h>

namespace kernel::time {

struct PvclockSnapshot {
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t tsc_shift;
};

// Nanoseconds for a TSC delta: shift, then a 32.32 fixed-point multiply in 128 bits.
constexpr uint64_t scale_tsc_delta(uint64_t delta, uint32_t mul, int8_t shift) {
    if (shift < 0) delta >>= -shift;
    else delta <<= shift;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * mul) >> 32);
}

// System time at `tsc` (a TSC before the snapshot counts as the snapshot's own time).
constexpr uint64_t system_time_at(const PvclockSnapshot& s, uint64_t tsc) {
    uint64_t delta = tsc > s.tsc_timestamp ? tsc - s.tsc_timestamp : 0;
    return s.system_time + scale_tsc_delta(delta, s.tsc_to_system_mul, s.tsc_shift);
}

// The TSC frequency the snapshot implies, in kHz: ((10^9 << 32) / mul) >> shift, per 1000.
constexpr uint64_t tsc_khz(uint32_t mul, int8_t shift) {
    if (mul == 0) return 0;
    uint64_t hz = static_cast<uint64_t>((static_cast<unsigned __int128>(1000000000) << 32) / mul);
    hz = shift < 0 ? hz << -shift : hz >> shift;
    return hz / 1000;
}

}  // namespace kernel::time
