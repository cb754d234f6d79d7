// kernel::signals: signal sets as Linux keeps them, and the mask a handler runs with --
// Linux's rules (kernel/signal.c: sigprocmask; signal_setup_done).
#include <gtest/gtest.h>

#include "signals/sigset.hpp"

namespace {

using namespace kernel::signals;

TEST(SignalSet, BitsAreLinuxs) {
    EXPECT_EQ(sigbit(1), 1u);            // SIGHUP: bit 0
    EXPECT_EQ(sigbit(kSigurg), 1u << 22);
    EXPECT_EQ(sigbit(64), uint64_t{1} << 63);
    EXPECT_EQ(kUnblockable, sigbit(kSigkill) | sigbit(kSigstop));
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
