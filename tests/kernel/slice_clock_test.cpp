// kernel::time::SliceClock (stage 09): the time-slice accounting behind preemption.
#include <gtest/gtest.h>

#include "time/slice_clock.hpp"

namespace {

using kernel::time::SliceClock;

constexpr uint64_t kMs = 1'000'000;

TEST(SliceClock, ArmingGivesTheDeadlineOnce) {
    SliceClock c;
    EXPECT_FALSE(c.running());
    EXPECT_EQ(c.arm(100 * kMs, 10 * kMs), 110 * kMs);
    EXPECT_TRUE(c.running());
    EXPECT_EQ(c.arm(105 * kMs, 10 * kMs), 0u) << "a running slice is not extended by a later arm";
    EXPECT_EQ(c.ends_at(), 110 * kMs);
}

TEST(SliceClock, AnEarlyTimerEventIsNotTheEnd) {
    SliceClock c;
    c.arm(0, 10 * kMs);
    EXPECT_FALSE(c.take_end(9 * kMs));
    EXPECT_TRUE(c.running());
    EXPECT_TRUE(c.take_end(10 * kMs));
    EXPECT_FALSE(c.running());
    EXPECT_FALSE(c.take_end(11 * kMs)) << "an end is taken once";
    EXPECT_EQ(c.ended(), 1u);
}

TEST(SliceClock, NoSliceNoEnd) {
    SliceClock c;
    EXPECT_FALSE(c.take_end(1000 * kMs)) << "a wait's timer event, with no slice running";
    EXPECT_EQ(c.ended(), 0u);
}

TEST(SliceClock, AWaitCancelsTheSliceAndTheNextArmStartsAFreshOne) {
    SliceClock c;
    c.arm(0, 10 * kMs);
    c.cancel();
    EXPECT_FALSE(c.running());
    EXPECT_FALSE(c.take_end(50 * kMs)) << "the cancelled slice never ends";
    EXPECT_EQ(c.arm(50 * kMs, 10 * kMs), 60 * kMs);
}

TEST(SliceClock, EndsAreCounted) {
    SliceClock c;
    for (uint64_t t = 0; t < 5; ++t) {
        c.arm(t * 10 * kMs, 10 * kMs);
        EXPECT_TRUE(c.take_end((t + 1) * 10 * kMs));
    }
    EXPECT_EQ(c.ended(), 5u);
}

}  // namespace
