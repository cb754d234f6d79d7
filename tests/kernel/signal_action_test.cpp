// kernel::signals: the action table behind rt_sigaction -- Linux's rules (kernel/signal.c:
// do_sigaction): a number out of range, or a new action for SIGKILL or SIGSTOP, is EINVAL;
// the old action is handed back before the new one is stored.
#include <gtest/gtest.h>

#include "signals/action.hpp"
#include "signals/numbers.hpp"
#include "syscalls/errno.hpp"

namespace {

using namespace kernel::signals;
using kernel::syscalls::kEINVAL;

TEST(SignalAction, NothingSetMeansTheDefault) {
    EXPECT_EQ(action_of(kSigwinch).handler, kSigDefault);
    EXPECT_EQ(action_of(0).handler, kSigDefault) << "out of range reads as the default";
    EXPECT_EQ(action_of(kSignals + 1).handler, kSigDefault);
}

TEST(SignalAction, TheOldActionComesBackAndTheNewOneStays) {
    KernelSigaction first{0x1000, 4, 0x2000, 0}, second{0x3000, 4, 0x2000, 1}, old{};
    ASSERT_EQ(set_action(kSigsegv, &first, nullptr), 0);
    ASSERT_EQ(set_action(kSigsegv, &second, &old), 0);
    EXPECT_EQ(old.handler, 0x1000u);
    EXPECT_EQ(action_of(kSigsegv).handler, 0x3000u);
    EXPECT_EQ(action_of(kSigsegv).mask, 1u);
    ASSERT_EQ(set_action(kSigsegv, nullptr, &old), 0) << "a query changes nothing";
    EXPECT_EQ(old.handler, 0x3000u);
}

TEST(SignalAction, OutOfRangeIsEinval) {
    KernelSigaction act{kSigIgnore, 0, 0, 0};
    EXPECT_EQ(set_action(0, &act, nullptr), -kEINVAL);
    EXPECT_EQ(set_action(kSignals + 1, &act, nullptr), -kEINVAL);
    EXPECT_EQ(set_action(kSignals, &act, nullptr), 0) << "64, the last real-time signal";
}

TEST(SignalAction, KillAndStopCannotBeChangedButCanBeRead) {
    KernelSigaction act{kSigIgnore, 0, 0, 0}, old{1, 1, 1, 1};
    EXPECT_EQ(set_action(kSigkill, &act, nullptr), -kEINVAL);
    EXPECT_EQ(set_action(kSigstop, &act, nullptr), -kEINVAL);
    EXPECT_EQ(set_action(kSigkill, nullptr, &old), 0);
    EXPECT_EQ(old.handler, kSigDefault);
}

}  // namespace
