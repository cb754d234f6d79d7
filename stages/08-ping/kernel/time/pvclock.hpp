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

// System time at `tsc`.  The difference is taken modulo 2^64 and read as signed, as the TSC
// wraps: the first snapshot Xen 4.17 gives a PV domU (seen under QEMU TCG) has a tsc_timestamp of
// 2^64 - 1255046262, taken before the domain's TSC offset made its TSC start near 0, while the
// guest already reads 824012571.  A plain unsigned comparison takes that for "before the
// snapshot", so the clock would stand still until Xen's next snapshot a second later, and every
// timer armed meanwhile would fire a second late (a 100 ms sleep measured 1 s).  A TSC really
// before the snapshot (a read racing Xen's update) counts as the snapshot's own time.
constexpr uint64_t system_time_at(const PvclockSnapshot& s, uint64_t tsc) {
    int64_t delta = static_cast<int64_t>(tsc - s.tsc_timestamp);
    if (delta <= 0) return s.system_time;
    return s.system_time + scale_tsc_delta(static_cast<uint64_t>(delta), s.tsc_to_system_mul, s.tsc_shift);
}

// The TSC frequency the snapshot implies, in kHz: ((10^9 << 32) / mul) >> shift, per 1000.
constexpr uint64_t tsc_khz(uint32_t mul, int8_t shift) {
    if (mul == 0) return 0;
    uint64_t hz = static_cast<uint64_t>((static_cast<unsigned __int128>(1000000000) << 32) / mul);
    hz = shift < 0 ? hz << -shift : hz >> shift;
    return hz / 1000;
}

}  // namespace kernel::time
