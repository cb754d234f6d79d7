// kernel::traps::{name, mnemonic, describe_page_fault}: words for the fault report.
#include "traps.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <cstring>
#include <set>
#include <string>

namespace {

using kernel::traps::describe_page_fault;
using kernel::traps::mnemonic;
using kernel::traps::name;

std::string PageFault(uint64_t error_code) {
    char buf[128];
    memset(buf, 'X', sizeof buf);
    describe_page_fault(error_code, buf, sizeof buf);
    EXPECT_NE(memchr(buf, '\0', sizeof buf), nullptr);
    return buf;
}

// Page-fault error-code bits (Intel SDM vol. 3, 4.7).
constexpr uint64_t P = 1, W = 2, U = 4, RSVD = 8, I = 16;

TEST(TrapNames, KnownVectors) {
    EXPECT_STREQ(name(0), "divide error");
    EXPECT_STREQ(mnemonic(0), "#DE");
    EXPECT_STREQ(name(1), "debug exception");
    EXPECT_STREQ(mnemonic(1), "#DB");
    EXPECT_STREQ(mnemonic(2), "NMI");
    EXPECT_STREQ(name(3), "breakpoint");
    EXPECT_STREQ(mnemonic(3), "#BP");
    EXPECT_STREQ(mnemonic(4), "#OF");
    EXPECT_STREQ(mnemonic(5), "#BR");
    EXPECT_STREQ(name(6), "invalid opcode");
    EXPECT_STREQ(mnemonic(6), "#UD");
    EXPECT_STREQ(mnemonic(7), "#NM");
    EXPECT_STREQ(name(8), "double fault");
    EXPECT_STREQ(mnemonic(8), "#DF");
    EXPECT_STREQ(mnemonic(10), "#TS");
    EXPECT_STREQ(mnemonic(11), "#NP");
    EXPECT_STREQ(mnemonic(12), "#SS");
    EXPECT_STREQ(name(13), "general protection fault");
    EXPECT_STREQ(mnemonic(13), "#GP");
    EXPECT_STREQ(name(14), "page fault");
    EXPECT_STREQ(mnemonic(14), "#PF");
    EXPECT_STREQ(mnemonic(16), "#MF");
    EXPECT_STREQ(name(16), "x87 floating-point error");
    EXPECT_STREQ(mnemonic(17), "#AC");
    EXPECT_STREQ(mnemonic(18), "#MC");
    EXPECT_STREQ(name(19), "SIMD floating-point exception");
    EXPECT_STREQ(mnemonic(19), "#XM");
}

TEST(TrapNames, EveryArchitecturalVectorHasWords) {
    for (uint64_t v = 0; v < 20; ++v) {
        ASSERT_NE(name(v), nullptr) << "vector " << v;
        ASSERT_NE(mnemonic(v), nullptr) << "vector " << v;
        EXPECT_GT(strlen(name(v)), 0u) << "vector " << v;
        EXPECT_GT(strlen(mnemonic(v)), 0u) << "vector " << v;
        EXPECT_STRNE(name(v), "unknown trap") << "vector " << v;
        EXPECT_STRNE(mnemonic(v), "#??") << "vector " << v;
    }
}

TEST(TrapNames, NamesAreDistinct) {
    std::set<std::string> seen;
    for (uint64_t v = 0; v < 20; ++v) EXPECT_TRUE(seen.insert(name(v)).second) << "vector " << v << ": " << name(v);
}

// Each vector's mnemonic is its own: a fault report for vector 9 (coprocessor segment overrun,
// which the SDM gives no mnemonic) must not read like vector 16's x87 error "#MF".
TEST(TrapNames, MnemonicsAreDistinct) {
    std::set<std::string> seen;
    for (uint64_t v = 0; v < 20; ++v) {
        EXPECT_TRUE(seen.insert(mnemonic(v)).second) << "vector " << v << ": " << mnemonic(v);
    }
}

TEST(TrapNames, OutOfRangeVectors) {
    for (uint64_t v : {uint64_t{32}, uint64_t{0x80}, uint64_t{255}, uint64_t{1} << 32, UINT64_MAX}) {
        EXPECT_STREQ(name(v), "unknown trap") << "vector " << v;
        EXPECT_STREQ(mnemonic(v), "#??") << "vector " << v;
    }
}

TEST(TrapNames, FirstVectorPastTheTable) {
    EXPECT_STREQ(name(20), "unknown trap");
    EXPECT_STREQ(mnemonic(20), "#??");
}

TEST(PageFault, ReadOrWriteOfNotPresentPage) {
    EXPECT_EQ(PageFault(0), "read of a not-present page");
    EXPECT_EQ(PageFault(W), "write to a not-present page");
}

TEST(PageFault, ProtectionViolation) {
    EXPECT_EQ(PageFault(P), "read of a page that forbids it");
    EXPECT_EQ(PageFault(P | W), "write to a page that forbids it");
}

TEST(PageFault, InstructionFetch) {
    EXPECT_EQ(PageFault(I), "instruction fetch from a not-present page");
    EXPECT_EQ(PageFault(I | P), "instruction fetch from a page that forbids it");
    // A fetch is never a write; the fetch bit decides.
    EXPECT_EQ(PageFault(I | W), "instruction fetch from a not-present page");
}

TEST(PageFault, ReservedBit) {
    EXPECT_EQ(PageFault(P | RSVD), "read of a page that forbids it (reserved bit set in a page-table entry)");
    EXPECT_EQ(PageFault(P | W | RSVD), "write to a page that forbids it (reserved bit set in a page-table entry)");
    EXPECT_EQ(PageFault(P | I | RSVD),
              "instruction fetch from a page that forbids it (reserved bit set in a page-table entry)");
}

TEST(PageFault, UserBitDoesNotChangeTheAccessOrPageWords) {
    // The user/supervisor bit is not described; it must not disturb the rest.
    EXPECT_EQ(PageFault(U | W).rfind("write to a not-present page", 0), 0u);
    EXPECT_EQ(PageFault(U | P).rfind("read of a page that forbids it", 0), 0u);
}

TEST(PageFault, SmallBufferIsTruncatedAndTerminated) {
    char buf[16];
    memset(buf, 'X', sizeof buf);
    describe_page_fault(0, buf, 10);
    EXPECT_STREQ(buf, "read of a");
    for (size_t i = 10; i < sizeof buf; ++i) EXPECT_EQ(buf[i], 'X') << "byte " << i;

    describe_page_fault(P | W, buf, 1);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'e');  // from the previous call: nothing written past size
}

TEST(PageFault, ZeroSizedBufferIsLeftAlone) {
    char buf[2] = {'X', 'X'};
    describe_page_fault(P | W | RSVD, buf, 0);
    EXPECT_EQ(buf[0], 'X');
    EXPECT_EQ(buf[1], 'X');
}

}  // namespace
