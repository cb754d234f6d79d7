// kernel::signals: which pending signal is delivered next -- Linux's rule (kernel/signal.c:
// next_signal).
#include <gtest/gtest.h>

#include "signals/pending.hpp"

namespace {

using namespace kernel::signals;

constexpr int kSigusr1 = 10;  // not one the kernel names

TEST(NextSignal, NoneWhenNothingIsPending) { EXPECT_EQ(next_signal(0, 0), 0); }

TEST(NextSignal, TheLowestUnblockedComesFirst) {
    uint64_t pending = sigbit(kSigurg) | sigbit(kSigint) | sigbit(kSigusr1);
    EXPECT_EQ(next_signal(pending, 0), kSigint);
    EXPECT_EQ(next_signal(pending, sigbit(kSigint)), kSigusr1);
    EXPECT_EQ(next_signal(pending, sigbit(kSigint) | sigbit(kSigusr1)), kSigurg);
}

TEST(NextSignal, ABlockedSignalStaysPending) {
    EXPECT_EQ(next_signal(sigbit(kSigurg), sigbit(kSigurg)), 0);
    EXPECT_EQ(next_signal(sigbit(64), 0), 64) << "the highest real-time signal";
}

}  // namespace
