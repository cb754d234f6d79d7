// Book: chapter 05-futex (book/stages/05-futex.md).
#include "clock.hpp"

#include "../shared_info.hpp"
#include "pvclock.hpp"

namespace kernel::time {
namespace {

uint64_t rdtsc() {
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

// Reads the vCPU's time snapshot consistently: Xen makes `version` odd while it updates the
// fields (a seqlock, see xen.h), so read until the version is even and unchanged.
uint64_t read_system_time() {
    const volatile vcpu_time_info& t = shinfo::vcpu0().time;
    for (;;) {
        uint32_t version = t.version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        PvclockSnapshot s{t.tsc_timestamp, t.system_time, t.tsc_to_system_mul, t.tsc_shift};
        uint64_t now = system_time_at(s, rdtsc());
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if ((version & 1) == 0 && version == t.version) return now;
    }
}

uint64_t g_last = 0;  // monotonic_ns never returns less than it did before

}  // namespace

uint64_t monotonic_ns() {
    uint64_t now = read_system_time();
    if (now < g_last) now = g_last;
    g_last = now;
    return now;
}

uint64_t realtime_ns() {
    const volatile struct shared_info& s = shinfo::get();
    for (;;) {
        uint32_t version = s.wc_version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        uint64_t sec = (uint64_t{s.xen_wc_sec_hi} << 32) | s.wc_sec;
        uint64_t nsec = s.wc_nsec;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        // wc_sec/wc_nsec are the wall-clock time at system time 0 (xen.h, shared_info).
        if ((version & 1) == 0 && version == s.wc_version) return sec * kNsPerSec + nsec + monotonic_ns();
    }
}

uint64_t tsc_frequency_khz() {
    const volatile vcpu_time_info& t = shinfo::vcpu0().time;
    return tsc_khz(t.tsc_to_system_mul, t.tsc_shift);
}

}  // namespace kernel::time
