// kernel::memory::VmaSet: the sorted set of areas behind mmap/munmap.
#include "memory/vma.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <memory>
#include <ostream>
#include <vector>

namespace kernel::memory {
// For readable failures.
bool operator==(const Vma& a, const Vma& b) {
    return a.start == b.start && a.end == b.end && a.prot == b.prot && a.kind == b.kind;
}
std::ostream& operator<<(std::ostream& os, const Vma& v) {
    return os << "[0x" << std::hex << v.start << ", 0x" << v.end << std::dec << ") prot " << v.prot
              << (v.kind == VmaKind::Kernel ? " kernel" : "");
}
}  // namespace kernel::memory

namespace {

using kernel::memory::PROT_EXEC;
using kernel::memory::PROT_NONE;
using kernel::memory::PROT_READ;
using kernel::memory::PROT_WRITE;
using kernel::memory::Vma;
using kernel::memory::VmaKind;
using kernel::memory::VmaSet;

constexpr uint64_t P = 0x1000;
constexpr uint32_t RW = PROT_READ | PROT_WRITE;

Vma anon(uint64_t start_page, uint64_t end_page, uint32_t prot = RW) {
    return Vma{start_page * P, end_page * P, prot, VmaKind::Anonymous};
}
Vma kern(uint64_t start_page, uint64_t end_page) {
    return Vma{start_page * P, end_page * P, PROT_READ | PROT_WRITE | PROT_EXEC, VmaKind::Kernel};
}

std::vector<Vma> areas(const VmaSet& s) {
    std::vector<Vma> v;
    for (size_t i = 0; i < s.count(); ++i) v.push_back(s.at(i));
    return v;
}

void collect(void* ctx, const Vma& piece) { static_cast<std::vector<Vma>*>(ctx)->push_back(piece); }

class VmaTest : public ::testing::Test {
protected:
    // 512 areas are about 12 KiB: keep them off the stack.
    std::unique_ptr<VmaSet> owner = std::make_unique<VmaSet>();
    VmaSet& set = *owner;
    std::vector<Vma> removed;

    bool remove(uint64_t start_page, uint64_t end_page) {
        removed.clear();
        return set.remove(start_page * P, end_page * P, collect, &removed);
    }
};

// --- insert ----------------------------------------------------------------------------------

TEST_F(VmaTest, EmptySet) {
    EXPECT_EQ(set.count(), 0u);
    EXPECT_EQ(set.find(0), nullptr);
    EXPECT_EQ(set.find(0x7fffffffffff), nullptr);
    EXPECT_TRUE(set.is_free(0, UINT64_MAX));
    EXPECT_EQ(set.reserved_bytes(), 0u);
    EXPECT_EQ(set.committed_bytes(), 0u);
}

TEST_F(VmaTest, InsertKeepsAreasSortedByAddress) {
    EXPECT_TRUE(set.insert(anon(50, 60)));
    EXPECT_TRUE(set.insert(anon(10, 20)));
    EXPECT_TRUE(set.insert(anon(30, 40)));
    EXPECT_TRUE(set.insert(anon(70, 80)));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(10, 20), anon(30, 40), anon(50, 60), anon(70, 80)}));
}

TEST_F(VmaTest, InsertRejectsOverlapsAndEmptyAreas) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    EXPECT_FALSE(set.insert(anon(10, 20)));  // same
    EXPECT_FALSE(set.insert(anon(5, 11)));   // tail overlaps the start
    EXPECT_FALSE(set.insert(anon(19, 25)));  // head overlaps the end
    EXPECT_FALSE(set.insert(anon(12, 13)));  // inside
    EXPECT_FALSE(set.insert(anon(0, 100)));  // around
    EXPECT_FALSE(set.insert(anon(15, 16, PROT_NONE)));  // the protection does not matter
    EXPECT_FALSE(set.insert(anon(30, 30)));  // empty
    EXPECT_FALSE(set.insert(anon(31, 30)));  // backwards
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(10, 20)}));
}

TEST_F(VmaTest, AdjacentAreasWithTheSameProtectionMerge) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    EXPECT_TRUE(set.insert(anon(20, 25)));  // after
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(10, 25)}));
    EXPECT_TRUE(set.insert(anon(5, 10)));  // before
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(5, 25)}));
}

TEST_F(VmaTest, InsertIntoAGapMergesBothSides) {
    ASSERT_TRUE(set.insert(anon(0, 10)));
    ASSERT_TRUE(set.insert(anon(20, 30)));
    ASSERT_TRUE(set.insert(anon(40, 50)));
    EXPECT_TRUE(set.insert(anon(10, 20)));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(0, 30), anon(40, 50)}));
}

TEST_F(VmaTest, DifferentProtectionOrKindDoesNotMerge) {
    ASSERT_TRUE(set.insert(anon(10, 20, RW)));
    EXPECT_TRUE(set.insert(anon(20, 30, PROT_NONE)));
    EXPECT_TRUE(set.insert(anon(0, 10, PROT_READ)));
    EXPECT_TRUE(set.insert(kern(30, 40)));
    EXPECT_TRUE(set.insert(anon(40, 50, PROT_READ | PROT_WRITE | PROT_EXEC)));  // kernel's prot, other kind
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(0, 10, PROT_READ), anon(10, 20), anon(20, 30, PROT_NONE), kern(30, 40),
                                            anon(40, 50, PROT_READ | PROT_WRITE | PROT_EXEC)}));
}

TEST_F(VmaTest, MergeOnlyOnOneSideWhenTheOtherDiffers) {
    ASSERT_TRUE(set.insert(anon(0, 10, PROT_NONE)));
    ASSERT_TRUE(set.insert(anon(20, 30, RW)));
    EXPECT_TRUE(set.insert(anon(10, 20, RW)));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(0, 10, PROT_NONE), anon(10, 30, RW)}));
}

// --- find / is_free --------------------------------------------------------------------------

TEST_F(VmaTest, FindReturnsTheContainingArea) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    ASSERT_TRUE(set.insert(anon(30, 40, PROT_NONE)));
    ASSERT_TRUE(set.insert(anon(40, 41, PROT_READ)));
    ASSERT_NE(set.find(10 * P), nullptr);
    EXPECT_EQ(*set.find(10 * P), anon(10, 20));
    EXPECT_EQ(*set.find(20 * P - 1), anon(10, 20));
    EXPECT_EQ(set.find(20 * P), nullptr);  // end is exclusive
    EXPECT_EQ(set.find(10 * P - 1), nullptr);
    EXPECT_EQ(set.find(25 * P), nullptr);
    EXPECT_EQ(*set.find(35 * P + 123), anon(30, 40, PROT_NONE));
    EXPECT_EQ(*set.find(40 * P), anon(40, 41, PROT_READ));
    EXPECT_EQ(set.find(41 * P), nullptr);
    EXPECT_EQ(set.find(0), nullptr);
    EXPECT_EQ(set.find(UINT64_MAX), nullptr);
}

TEST_F(VmaTest, FindWorksAcrossManyAreas) {
    for (uint64_t i = 0; i < 300; ++i) ASSERT_TRUE(set.insert(anon(3 * i, 3 * i + 2)));
    ASSERT_EQ(set.count(), 300u);
    for (uint64_t i = 0; i < 300; ++i) {
        const Vma* v = set.find(3 * i * P + P);
        ASSERT_NE(v, nullptr) << i;
        EXPECT_EQ(v->start, 3 * i * P);
        EXPECT_EQ(set.find((3 * i + 2) * P), nullptr) << "gap after area " << i;
    }
}

TEST_F(VmaTest, IsFreeChecksHalfOpenRanges) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    EXPECT_TRUE(set.is_free(0, 10 * P));
    EXPECT_TRUE(set.is_free(20 * P, 30 * P));
    EXPECT_FALSE(set.is_free(0, 10 * P + 1));
    EXPECT_FALSE(set.is_free(20 * P - 1, 30 * P));
    EXPECT_FALSE(set.is_free(12 * P, 13 * P));
    EXPECT_FALSE(set.is_free(0, 100 * P));
}

// --- remove ----------------------------------------------------------------------------------

TEST_F(VmaTest, RemoveInsideOneAreaSplitsIt) {
    ASSERT_TRUE(set.insert(anon(10, 20, PROT_READ)));
    EXPECT_TRUE(remove(12, 15));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(10, 12, PROT_READ), anon(15, 20, PROT_READ)}));
    EXPECT_EQ(removed, (std::vector<Vma>{anon(12, 15, PROT_READ)}));
}

TEST_F(VmaTest, RemoveTheHeadOrTheTailTrims) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    EXPECT_TRUE(remove(5, 12));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(12, 20)}));
    EXPECT_EQ(removed, (std::vector<Vma>{anon(10, 12)}));
    EXPECT_TRUE(remove(18, 30));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(12, 18)}));
    EXPECT_EQ(removed, (std::vector<Vma>{anon(18, 20)}));
}

TEST_F(VmaTest, RemoveAWholeArea) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    ASSERT_TRUE(set.insert(anon(30, 40, PROT_NONE)));
    EXPECT_TRUE(remove(10, 20));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(30, 40, PROT_NONE)}));
    EXPECT_EQ(removed, (std::vector<Vma>{anon(10, 20)}));
}

TEST_F(VmaTest, RemoveAcrossSeveralAreasReportsEachPiece) {
    ASSERT_TRUE(set.insert(anon(1, 3, PROT_READ)));
    ASSERT_TRUE(set.insert(anon(4, 6, PROT_NONE)));
    ASSERT_TRUE(set.insert(kern(6, 7)));
    ASSERT_TRUE(set.insert(anon(7, 9, RW)));
    ASSERT_TRUE(set.insert(anon(20, 30)));
    EXPECT_TRUE(remove(2, 8));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(1, 2, PROT_READ), anon(8, 9, RW), anon(20, 30)}));
    EXPECT_EQ(removed, (std::vector<Vma>{anon(2, 3, PROT_READ), anon(4, 6, PROT_NONE), kern(6, 7), anon(7, 8, RW)}));
}

TEST_F(VmaTest, RemoveOfNothingIsFineAndCallsNothing) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    EXPECT_TRUE(remove(0, 10));
    EXPECT_TRUE(remove(20, 30));
    EXPECT_TRUE(remove(15, 15));  // empty range
    EXPECT_TRUE(remove(16, 14));  // backwards: nothing
    EXPECT_TRUE(removed.empty());
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(10, 20)}));
}

TEST_F(VmaTest, RemoveWithoutACallback) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    EXPECT_TRUE(set.remove(12 * P, 13 * P));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(10, 12), anon(13, 20)}));
}

TEST_F(VmaTest, RemovedRangeCanBeReinsertedAndMergesBack) {
    ASSERT_TRUE(set.insert(anon(10, 20)));
    ASSERT_TRUE(remove(12, 15));
    EXPECT_TRUE(set.is_free(12 * P, 15 * P));
    EXPECT_TRUE(set.insert(anon(12, 15)));
    EXPECT_EQ(areas(set), (std::vector<Vma>{anon(10, 20)}));
}

// --- find_gap_top_down -----------------------------------------------------------------------

TEST_F(VmaTest, GapInAnEmptySetIsAtTheCeiling) {
    EXPECT_EQ(set.find_gap_top_down(3 * P, 16 * P, 256 * P), 253 * P);
    EXPECT_EQ(set.find_gap_top_down(240 * P, 16 * P, 256 * P), 16 * P);  // exactly fits
    EXPECT_EQ(set.find_gap_top_down(241 * P, 16 * P, 256 * P), 0u);      // does not
}

TEST_F(VmaTest, GapArgumentsThatCannotWork) {
    EXPECT_EQ(set.find_gap_top_down(0, 16 * P, 256 * P), 0u);
    EXPECT_EQ(set.find_gap_top_down(P, 256 * P, 16 * P), 0u);  // ceiling below floor
    EXPECT_EQ(set.find_gap_top_down(P, 16 * P, 16 * P), 0u);
}

TEST_F(VmaTest, GapSearchGoesDownPastAreasToTheFirstThatFits) {
    ASSERT_TRUE(set.insert(anon(80, 90)));
    ASSERT_TRUE(set.insert(anon(100, 256)));  // reaches the ceiling
    EXPECT_EQ(set.find_gap_top_down(10 * P, 16 * P, 256 * P), 90 * P);   // exactly [90, 100)
    EXPECT_EQ(set.find_gap_top_down(4 * P, 16 * P, 256 * P), 96 * P);    // top of [90, 100)
    EXPECT_EQ(set.find_gap_top_down(11 * P, 16 * P, 256 * P), 69 * P);   // below 80
    EXPECT_EQ(set.find_gap_top_down(64 * P, 16 * P, 256 * P), 16 * P);   // [16, 80) exactly
    EXPECT_EQ(set.find_gap_top_down(65 * P, 16 * P, 256 * P), 0u);       // no room
}

TEST_F(VmaTest, GapIgnoresAreasAboveTheCeilingAndHonoursAreasAcrossIt) {
    ASSERT_TRUE(set.insert(anon(300, 400)));  // above: irrelevant
    EXPECT_EQ(set.find_gap_top_down(P, 16 * P, 256 * P), 255 * P);
    ASSERT_TRUE(set.insert(anon(250, 260)));  // across the ceiling
    EXPECT_EQ(set.find_gap_top_down(P, 16 * P, 256 * P), 249 * P);
}

TEST_F(VmaTest, GapHonoursTheFloor) {
    ASSERT_TRUE(set.insert(anon(20, 200)));
    ASSERT_TRUE(set.insert(anon(0, 5)));  // below the floor
    // Above the area: [200, 256).  Below it only [16, 20): 4 pages above the floor.
    EXPECT_EQ(set.find_gap_top_down(56 * P, 16 * P, 256 * P), 200 * P);
    EXPECT_EQ(set.find_gap_top_down(57 * P, 16 * P, 256 * P), 0u) << "[5, 20) is free but mostly below the floor";
    EXPECT_EQ(set.find_gap_top_down(4 * P, 16 * P, 200 * P), 16 * P);
    EXPECT_EQ(set.find_gap_top_down(5 * P, 16 * P, 200 * P), 0u);
}

TEST_F(VmaTest, GapStraddlingTheFloor) {
    ASSERT_TRUE(set.insert(anon(10, 18)));  // ends just above the floor
    ASSERT_TRUE(set.insert(anon(20, 256)));
    EXPECT_EQ(set.find_gap_top_down(2 * P, 16 * P, 256 * P), 18 * P);
    EXPECT_EQ(set.find_gap_top_down(3 * P, 16 * P, 256 * P), 0u);
}

TEST_F(VmaTest, GapWhenEverythingIsTaken) {
    ASSERT_TRUE(set.insert(anon(0, 1000)));
    EXPECT_EQ(set.find_gap_top_down(P, 16 * P, 256 * P), 0u);
}

TEST_F(VmaTest, GapResultIsAlwaysFree) {
    // Areas of 1..5 pages every 7 pages from page 20 on: gaps of 6..2 pages between them.
    for (uint64_t i = 0; i < 40; ++i) ASSERT_TRUE(set.insert(anon(20 + 7 * i, 20 + 7 * i + 1 + i % 5)));
    EXPECT_EQ(set.find_gap_top_down(4 * P, 16 * P, 200 * P), 196 * P);  // [196, 200) under the ceiling
    EXPECT_EQ(set.find_gap_top_down(5 * P, 16 * P, 200 * P), 169 * P);  // the first 5-page gap below
    EXPECT_EQ(set.find_gap_top_down(6 * P, 16 * P, 200 * P), 161 * P);
    EXPECT_EQ(set.find_gap_top_down(7 * P, 16 * P, 200 * P), 0u);       // no gap that big, [16, 20) too small
    for (uint64_t len = 1; len <= 6; ++len) {
        uint64_t at = set.find_gap_top_down(len * P, 16 * P, 200 * P);
        ASSERT_NE(at, 0u) << len;
        EXPECT_TRUE(set.is_free(at, at + len * P)) << len;
        EXPECT_GE(at, 16 * P);
        EXPECT_LE(at + len * P, 200 * P);
        EXPECT_EQ(at % P, 0u);
        // Highest: one page higher is not free (or beyond the ceiling).
        if (at + len * P + P <= 200 * P) {
            EXPECT_FALSE(set.is_free(at + P, at + P + len * P)) << len;
        }
    }
}

// --- accounting ------------------------------------------------------------------------------

TEST_F(VmaTest, ReservedAndCommittedBytesExcludeTheKernel) {
    ASSERT_TRUE(set.insert(kern(0, 100)));
    ASSERT_TRUE(set.insert(anon(100, 110, PROT_NONE)));
    ASSERT_TRUE(set.insert(anon(200, 203, RW)));
    ASSERT_TRUE(set.insert(anon(300, 302, PROT_READ)));
    ASSERT_TRUE(set.insert(anon(400, 401, PROT_NONE)));
    EXPECT_EQ(set.reserved_bytes(), 11 * P);
    EXPECT_EQ(set.committed_bytes(), 5 * P);
    ASSERT_TRUE(remove(101, 102));
    EXPECT_EQ(set.reserved_bytes(), 10 * P);
}

TEST_F(VmaTest, VmaHelpers) {
    Vma v = anon(3, 7, PROT_NONE);
    EXPECT_EQ(v.length(), 4 * P);
    EXPECT_FALSE(v.committed());
    EXPECT_TRUE(anon(3, 7, PROT_READ).committed());
}

// --- capacity --------------------------------------------------------------------------------

class VmaFullTest : public VmaTest {
protected:
    void SetUp() override {
        // kCapacity areas with one-page gaps, so nothing merges.
        for (uint64_t i = 0; i < VmaSet::kCapacity; ++i) ASSERT_TRUE(set.insert(anon(4 * i, 4 * i + 3)));
        ASSERT_EQ(set.count(), VmaSet::kCapacity);
        before = areas(set);
    }
    std::vector<Vma> before;
};

TEST_F(VmaFullTest, InsertIntoAFullSetFailsUnlessItMerges) {
    uint64_t beyond = 4 * VmaSet::kCapacity + 10;
    EXPECT_FALSE(set.insert(anon(beyond, beyond + 1)));
    EXPECT_FALSE(set.insert(anon(3, 4, PROT_NONE)));  // fills a gap, but different protection
    EXPECT_EQ(areas(set), before);
    EXPECT_TRUE(set.insert(anon(3, 4)));  // merges two areas into one: frees a slot
    EXPECT_EQ(set.count(), VmaSet::kCapacity - 1);
    EXPECT_TRUE(set.insert(anon(beyond, beyond + 1)));
}

TEST_F(VmaFullTest, SplitThatWouldOverflowFailsAndChangesNothing) {
    EXPECT_FALSE(remove(41, 42));  // inside [40, 43)
    EXPECT_TRUE(removed.empty()) << "no piece may be reported for a remove that did not happen";
    EXPECT_EQ(areas(set), before);
}

TEST_F(VmaFullTest, RemovesThatDoNotSplitStillWork) {
    EXPECT_TRUE(remove(40, 41));  // trims the head
    EXPECT_EQ(removed, (std::vector<Vma>{anon(40, 41)}));
    EXPECT_TRUE(remove(4, 7));  // a whole area
    EXPECT_EQ(set.count(), VmaSet::kCapacity - 1);
    EXPECT_TRUE(remove(42, 43));  // trims the tail of [41, 43)
    // Now there is room for exactly one split.
    EXPECT_TRUE(remove(81, 82));
    EXPECT_EQ(set.count(), VmaSet::kCapacity);
    EXPECT_EQ(*set.find(80 * P), anon(80, 81));
    EXPECT_EQ(*set.find(82 * P), anon(82, 83));
}

TEST_F(VmaFullTest, RemoveAcrossAreasThatOnlyTrimsIsAllowedWhenFull) {
    EXPECT_TRUE(remove(1, 6));  // tail of [0, 3), head of [4, 7)
    EXPECT_EQ(removed, (std::vector<Vma>{anon(1, 3), anon(4, 6)}));
    EXPECT_EQ(set.count(), VmaSet::kCapacity);
    EXPECT_EQ(*set.find(0), anon(0, 1));
    EXPECT_EQ(*set.find(6 * P), anon(6, 7));
}

}  // namespace
