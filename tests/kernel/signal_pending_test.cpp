// kernel::signals (stage 09): which pending signal is delivered next, and the mask a handler
// runs with -- Linux's rules (kernel/signal.c: next_signal, sigprocmask; signal_setup_done).
#include <gtest/gtest.h>

#include "signals/pending.hpp"

namespace {

using namespace kernel::signals;

constexpr int kSigint = 2, kSigkill = 9, kSigusr1 = 10, kSigsegv = 11, kSigstop = 19, kSigurg = 23;

TEST(SignalSet, BitsAreLinuxs) {
    EXPECT_EQ(sigbit(1), 1u);            // SIGHUP: bit 0
    EXPECT_EQ(sigbit(kSigurg), 1u << 22);
    EXPECT_EQ(sigbit(64), uint64_t{1} << 63);
    EXPECT_EQ(kUnblockable, sigbit(kSigkill) | sigbit(kSigstop));
}

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

TEST(MaskInHandler, TheSignalItselfIsBlockedUnlessNodefer) {
    EXPECT_EQ(mask_in_handler(0, 0, kSigurg, false), sigbit(kSigurg));
    EXPECT_EQ(mask_in_handler(0, 0, kSigurg, true), 0u);
}

TEST(MaskInHandler, SaMaskAndTheThreadsMaskAdd) {
    uint64_t m = mask_in_handler(sigbit(kSigint), sigbit(kSigsegv), kSigurg, false);
    EXPECT_EQ(m, sigbit(kSigint) | sigbit(kSigsegv) | sigbit(kSigurg));
}

TEST(MaskInHandler, KillAndStopAreNeverBlocked) {
    // Go's sigaction masks are "all signals" (sigfillset) for some handlers.
    uint64_t m = mask_in_handler(0, ~uint64_t{0}, kSigsegv, false);
    EXPECT_EQ(m & kUnblockable, 0u);
    EXPECT_EQ(m | kUnblockable, ~uint64_t{0});
}

}  // namespace
