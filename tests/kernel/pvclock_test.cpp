// kernel::time pvclock arithmetic: Xen's TSC -> system time scaling (struct vcpu_time_info).
#include "time/pvclock.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <vector>

namespace {

using kernel::time::PvclockSnapshot;
using kernel::time::scale_tsc_delta;
using kernel::time::system_time_at;
using kernel::time::tsc_khz;

constexpr uint64_t kNsPerSec = 1000000000;
constexpr uint32_t kHalf = 1u << 31;  // 0.5 in 32.32 fixed point

// The scale Xen publishes for a TSC of ticks_per_sec, restated from set_time_scale() and
// div_frac() in xen/arch/x86/time.c: normalise the rate into (10^9, 2*10^9] by halving or
// doubling (the shift counts the doublings), then mul = (10^9 << 32) / normalised rate.
struct Scale {
    uint32_t mul;
    int8_t shift;
};
Scale xen_time_scale(uint64_t ticks_per_sec) {
    uint64_t tps64 = ticks_per_sec;
    int shift = 0;
    while (tps64 > 2 * kNsPerSec) {
        tps64 >>= 1;
        --shift;
    }
    uint32_t tps32 = static_cast<uint32_t>(tps64);
    while (tps32 <= kNsPerSec) {
        tps32 <<= 1;
        ++shift;
    }
    // div_frac(dividend, divisor): (dividend << 32) / divisor, with dividend < divisor.
    uint32_t mul = static_cast<uint32_t>((kNsPerSec << 32) / tps32);
    return Scale{mul, static_cast<int8_t>(shift)};
}

// --- compile time ----------------------------------------------------------------------------

static_assert(scale_tsc_delta(0, kHalf, 0) == 0);
static_assert(scale_tsc_delta(2000000000, kHalf, 0) == 1000000000);
static_assert(system_time_at(PvclockSnapshot{100, 5, kHalf, 1}, 110) == 15);
static_assert(tsc_khz(kHalf, 0) == 2000000);
static_assert(tsc_khz(0, 0) == 0);

// --- scale_tsc_delta -------------------------------------------------------------------------

TEST(ScaleTscDelta, ZeroDeltaIsZeroForAnyScale) {
    for (int8_t shift : {-8, -1, 0, 1, 8})
        for (uint32_t mul : {1u, kHalf, 0xffffffffu}) EXPECT_EQ(scale_tsc_delta(0, mul, shift), 0u);
}

TEST(ScaleTscDelta, MulIsAFractionOfOne) {
    EXPECT_EQ(scale_tsc_delta(1000, kHalf, 0), 500u);         // * 0.5
    EXPECT_EQ(scale_tsc_delta(1000, 1u << 30, 0), 250u);      // * 0.25
    EXPECT_EQ(scale_tsc_delta(1000, 0xc0000000u, 0), 750u);   // * 0.75
    EXPECT_EQ(scale_tsc_delta(1u << 20, 1, 0), 0u);           // * 2^-32
    EXPECT_EQ(scale_tsc_delta(1ull << 32, 1, 0), 1u);
}

TEST(ScaleTscDelta, ResultIsRoundedDown) {
    EXPECT_EQ(scale_tsc_delta(3, kHalf, 0), 1u);  // 1.5
    EXPECT_EQ(scale_tsc_delta(1, 0xffffffffu, 0), 0u);  // 0.99999...
    EXPECT_EQ(scale_tsc_delta(2, 0xffffffffu, 0), 1u);  // 1.99999...
}

TEST(ScaleTscDelta, PositiveShiftDoublesBeforeTheMultiply) {
    EXPECT_EQ(scale_tsc_delta(1000, kHalf, 1), 1000u);
    EXPECT_EQ(scale_tsc_delta(1000, kHalf, 2), 2000u);
    EXPECT_EQ(scale_tsc_delta(1000, 1u << 30, 3), 2000u);
    EXPECT_EQ(scale_tsc_delta(3, kHalf, 1), 3u);  // 6 * 0.5: the shift keeps the odd tick
    // 0.5 << 1 is the identity.
    for (uint64_t d : {1ull, 12345ull, 1ull << 40, (1ull << 62) + 7})
        EXPECT_EQ(scale_tsc_delta(d, kHalf, 1), d) << d;
}

TEST(ScaleTscDelta, NegativeShiftHalvesBeforeTheMultiply) {
    EXPECT_EQ(scale_tsc_delta(1000, kHalf, -1), 250u);
    EXPECT_EQ(scale_tsc_delta(1000, kHalf, -2), 125u);
    // The bits shifted out are lost before the multiply: 1001 >> 1 = 500.
    EXPECT_EQ(scale_tsc_delta(1001, kHalf, -1), 250u);
    EXPECT_EQ(scale_tsc_delta(0xffff, kHalf, -8), 127u);  // 0xff * 0.5
    EXPECT_EQ(scale_tsc_delta(1, 0xffffffffu, -1), 0u);
    EXPECT_EQ(scale_tsc_delta(UINT64_MAX, 0xffffffffu, -32), 0xfffffffeu);
}

TEST(ScaleTscDelta, ProductWiderThan64BitsIsKept) {
    // 2^40 * 2^31 = 2^71: a 64-bit multiply would wrap to 0.
    EXPECT_EQ(scale_tsc_delta(1ull << 40, kHalf, 0), 1ull << 39);

    // One hour of a 2 GHz TSC.
    constexpr uint64_t ticks = 3600ull * 2000000000ull;
    static_assert(ticks > UINT64_MAX / kHalf, "ticks * mul must overflow 64 bits here");
    EXPECT_EQ(scale_tsc_delta(ticks, kHalf, 0), 3600ull * kNsPerSec);

    // The largest product: (2^64 - 1) * (2^32 - 1) = 2^32 * (2^64 - 2^32 - 1) + 1.
    EXPECT_EQ(scale_tsc_delta(UINT64_MAX, 0xffffffffu, 0), 0xfffffffeffffffffull);

    // A shifted delta near the top still multiplies in 128 bits.
    EXPECT_EQ(scale_tsc_delta(1ull << 62, kHalf, 1), 1ull << 62);
}

TEST(ScaleTscDelta, MulZeroGivesZero) {
    EXPECT_EQ(scale_tsc_delta(0, 0, 0), 0u);
    EXPECT_EQ(scale_tsc_delta(123456789, 0, 0), 0u);
    EXPECT_EQ(scale_tsc_delta(UINT64_MAX, 0, -3), 0u);
    EXPECT_EQ(scale_tsc_delta(1ull << 40, 0, 5), 0u);
}

// --- system_time_at ----------------------------------------------------------------------------

TEST(SystemTimeAt, AtTheSnapshotIsTheSnapshotTime) {
    PvclockSnapshot s{0x123456789a, 987654321, kHalf, 0};
    EXPECT_EQ(system_time_at(s, s.tsc_timestamp), 987654321u);
}

TEST(SystemTimeAt, AfterTheSnapshotAddsTheScaledDelta) {
    PvclockSnapshot s{1000000, 5000000000, kHalf, 0};  // 2 GHz, 5 s into the domain's life
    EXPECT_EQ(system_time_at(s, 1000000 + 2), 5000000001u);
    EXPECT_EQ(system_time_at(s, 1000000 + 2000000000), 6000000000u);
    EXPECT_EQ(system_time_at(s, 1000000 + 3), 5000000001u);  // 1.5 ns rounds down

    PvclockSnapshot fast{1000000, 7, kHalf, -1};  // 4 GHz
    EXPECT_EQ(system_time_at(fast, 1000000 + 4000), 7u + 1000u);

    PvclockSnapshot slow{0, 0, kHalf, 2};  // 500 MHz
    EXPECT_EQ(system_time_at(slow, 500), 1000u);
}

TEST(SystemTimeAt, ATscJustBeforeTheSnapshotCountsAsTheSnapshot) {
    PvclockSnapshot s{1000000, 5000000000, kHalf, 0};
    // A read that races Xen's update: tsc - tsc_timestamp is slightly negative.
    EXPECT_EQ(system_time_at(s, 999999), 5000000000u);
    EXPECT_EQ(system_time_at(s, 0), 5000000000u);
}

// Measured on the test host (Xen 4.17, PV domU, QEMU TCG): the first snapshot's tsc_timestamp is
// 2^64 - 1255046262 while the guest's TSC already reads 824012571, i.e. 2079058833 cycles later
// across the wrap.  Treating it as "before the snapshot" froze the clock for a second and made
// the first time.Sleep(100 ms) take one second.
TEST(SystemTimeAt, ASnapshotFromBeforeTheTscWrappedCountsFromItsTimestamp) {
    PvclockSnapshot s{UINT64_MAX - 1255046262 + 1, 7480329454, 3303820996u, -1};
    uint64_t expected = 7480329454u + scale_tsc_delta(2079058833u, 3303820996u, -1);
    EXPECT_EQ(system_time_at(s, 824012571), expected);
    EXPECT_GT(expected, 7480329454u + 790000000u);  // about 0.8 s after the snapshot
    // The next reading is later still: the clock runs.
    EXPECT_GT(system_time_at(s, 824012571 + 2000000), expected);
    PvclockSnapshot top{UINT64_MAX, 42, 0xffffffffu, 0};
    EXPECT_EQ(system_time_at(top, 1), 43u);  // two cycles after the snapshot, 1.99 ns
}

TEST(SystemTimeAt, IsMonotonicInTheTsc) {
    PvclockSnapshot s{1ull << 40, 123, 2863311530u, -1};  // 3 GHz, as Xen publishes it
    uint64_t last = 0;
    for (uint64_t tsc = (1ull << 40) - 10; tsc < (1ull << 40) + 100; ++tsc) {
        uint64_t t = system_time_at(s, tsc);
        EXPECT_GE(t, last) << "tsc " << tsc;
        last = t;
    }
}

TEST(SystemTimeAt, MulZeroFreezesTheClock) {
    PvclockSnapshot s{1000, 777, 0, 0};
    EXPECT_EQ(system_time_at(s, 1000), 777u);
    EXPECT_EQ(system_time_at(s, 1000000000000), 777u);
}

// --- realistic scales, derived the way Xen derives them ------------------------------------------

TEST(XenScale, TheDerivationMatchesKnownValues) {
    // 2 GHz is already normalised: mul = 0.5, no shift.
    Scale s2 = xen_time_scale(2000000000);
    EXPECT_EQ(s2.mul, kHalf);
    EXPECT_EQ(s2.shift, 0);
    // 3 GHz is halved once to 1.5 GHz: mul = 2/3.
    Scale s3 = xen_time_scale(3000000000);
    EXPECT_EQ(s3.mul, 2863311530u);
    EXPECT_EQ(s3.shift, -1);
    // 1 GHz is not above 10^9, so it is doubled.
    Scale s1 = xen_time_scale(1000000000);
    EXPECT_EQ(s1.mul, kHalf);
    EXPECT_EQ(s1.shift, 1);
    // 100 MHz is doubled four times to 1.6 GHz.
    Scale s100 = xen_time_scale(100000000);
    EXPECT_EQ(s100.mul, 2684354560u);  // 0.625
    EXPECT_EQ(s100.shift, 4);
}

const std::vector<uint64_t>& realistic_khz() {
    static const std::vector<uint64_t> khz = {
        100000,   133333,  800000,  1000000, 1234567, 1800000, 1999999, 2000000, 2000001,
        2100000,  2400000, 2893437, 3000000, 3192614, 3600000, 4200000, 5000000, 5800000,
        7999999,  8000000, 9876543,
    };
    return khz;
}

TEST(XenScale, OneSecondOfTicksIsOneSecondWithinOneNanosecond) {
    for (uint64_t khz : realistic_khz()) {
        uint64_t hz = khz * 1000;
        Scale sc = xen_time_scale(hz);
        ASSERT_GE(sc.shift, -3) << "a kHz rate is a multiple of 8: no tick is shifted out";
        uint64_t ns = scale_tsc_delta(hz, sc.mul, sc.shift);
        // mul is rounded down, so the clock never runs fast.
        EXPECT_LE(ns, kNsPerSec) << khz << " kHz";
        EXPECT_GE(ns, kNsPerSec - 1) << khz << " kHz";

        PvclockSnapshot snap{1ull << 44, 60 * kNsPerSec, sc.mul, sc.shift};
        uint64_t t = system_time_at(snap, snap.tsc_timestamp + hz);
        EXPECT_LE(t, 61 * kNsPerSec) << khz << " kHz";
        EXPECT_GE(t, 61 * kNsPerSec - 1) << khz << " kHz";
    }
}

TEST(XenScale, LongIntervalsStayWithinTheMulRoundingError) {
    // mul >= 2^31 and is short by less than 1, so the relative error is below 2^-31 (plus the
    // final rounding down).
    for (uint64_t khz : realistic_khz()) {
        uint64_t hz = khz * 1000;
        Scale sc = xen_time_scale(hz);
        for (uint64_t seconds : {10ull, 3600ull, 86400ull * 30}) {
            uint64_t ns = scale_tsc_delta(hz * seconds, sc.mul, sc.shift);
            uint64_t exact = seconds * kNsPerSec;
            EXPECT_LE(ns, exact) << khz << " kHz, " << seconds << " s";
            EXPECT_LE(exact - ns, exact / (1ull << 31) + 2) << khz << " kHz, " << seconds << " s";
        }
    }
}

TEST(XenScale, TwoGigahertzIsExact) {
    Scale sc = xen_time_scale(2000000000);
    EXPECT_EQ(scale_tsc_delta(2000000000, sc.mul, sc.shift), kNsPerSec);
    EXPECT_EQ(scale_tsc_delta(2, sc.mul, sc.shift), 1u);
    EXPECT_EQ(tsc_khz(sc.mul, sc.shift), 2000000u);
}

// --- tsc_khz ----------------------------------------------------------------------------------

TEST(TscKhz, KnownScales) {
    EXPECT_EQ(tsc_khz(kHalf, 0), 2000000u);        // 2 GHz
    EXPECT_EQ(tsc_khz(kHalf, 1), 1000000u);        // 1 GHz
    EXPECT_EQ(tsc_khz(kHalf, -1), 4000000u);       // 4 GHz
    EXPECT_EQ(tsc_khz(2863311530u, -1), 3000000u);  // 3 GHz
    EXPECT_EQ(tsc_khz(2684354560u, 4), 100000u);   // 100 MHz
}

TEST(TscKhz, RoundTripsTheFrequencyXenDerivedTheScaleFrom) {
    for (uint64_t khz : realistic_khz()) {
        Scale sc = xen_time_scale(khz * 1000);
        EXPECT_EQ(tsc_khz(sc.mul, sc.shift), khz) << "mul " << sc.mul << " shift " << int(sc.shift);
    }
}

TEST(TscKhz, AgreesWithTheClockItDescribes) {
    // tsc_khz * 1000 ticks must take one second (within the rounding) on the same scale.
    for (uint64_t khz : realistic_khz()) {
        Scale sc = xen_time_scale(khz * 1000);
        uint64_t ticks = tsc_khz(sc.mul, sc.shift) * 1000;
        uint64_t ns = scale_tsc_delta(ticks, sc.mul, sc.shift);
        EXPECT_NEAR(static_cast<double>(ns), 1e9, 1.0) << khz << " kHz";
    }
}

TEST(TscKhz, MulZeroIsZero) {
    EXPECT_EQ(tsc_khz(0, 0), 0u);
    EXPECT_EQ(tsc_khz(0, -3), 0u);
    EXPECT_EQ(tsc_khz(0, 5), 0u);
}

}  // namespace
