// kernel::memory::AddressSpace: mmap / munmap / madvise policy and demand paging, against a
// fake PageOps that records which pages have a frame.
#include "memory/address_space.hpp"

#include "fake_pages.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace kernel::memory;
using namespace fake;
constexpr long EINVAL_ = -22, ENOMEM_ = -12, ENODEV_ = -19, EEXIST_ = -17;

constexpr Limits kLimits{
    0x100000,        // floor: 1 MiB
    0x800000000000,  // ceiling
    0x7f0000000000,  // placement_top
    16,              // reserve_frames: of the fixture's 80 frames, 64 can be promised
};
constexpr uint32_t NORESERVE = ANON | MAP_NORESERVE;
constexpr uint64_t kTop = 0x7f0000000000;

class AddressSpaceTest : public ::testing::Test {
protected:
    explicit AddressSpaceTest(size_t frames = 80, Limits limits = kLimits)
        : pages(frames), space(std::make_unique<AddressSpace>(pages, limits)), as(*space) {}

    long map(uint64_t addr, uint64_t length, uint32_t prot, uint32_t flags = ANON) {
        return as.mmap(addr, length, prot, flags, -1, 0);
    }
    std::string note() const { return as.note(); }
    bool note_has(const char* text) const { return note().find(text) != std::string::npos; }
    // Touches every page of [start, start + pages) for writing.
    void touch(uint64_t start, uint64_t n) {
        for (uint64_t i = 0; i < n; ++i) ASSERT_TRUE(as.handle_fault(start + i * P, true, false)) << note();
    }

    FakePages pages;
    std::unique_ptr<AddressSpace> space;
    AddressSpace& as;
};

// --- where mappings go ------------------------------------------------------------------------

TEST_F(AddressSpaceTest, WithoutAHintMappingsGoTopDownBelowPlacementTop) {
    EXPECT_EQ(map(0, 4 * P, RW), static_cast<long>(kTop - 4 * P));
    EXPECT_STREQ(as.note(), "committed, frames on first touch");
    EXPECT_EQ(map(0, 2 * P, RW), static_cast<long>(kTop - 6 * P));
    // Adjacent with the same protection: one area.
    ASSERT_EQ(as.areas().count(), 1u);
    EXPECT_EQ(as.areas().at(0).start, kTop - 6 * P);
    EXPECT_EQ(as.areas().at(0).end, kTop);
    EXPECT_TRUE(pages.mapped.empty()) << "frames are only taken on first touch";
}

TEST_F(AddressSpaceTest, HintIsHonouredWhenFree) {
    // Go's first heap arena reservation.
    EXPECT_EQ(map(0xc000000000, 0x4000000, PROT_NONE), 0xc000000000);
    EXPECT_STREQ(as.note(), "reserved");
    Stats s = as.stats();
    EXPECT_EQ(s.reserved_bytes, 0x4000000u);
    EXPECT_EQ(s.committed_bytes, 0u);
    EXPECT_EQ(s.resident_pages, 0u);
    EXPECT_EQ(pages.free_frames(), 80u) << "a reservation uses no frames";
    EXPECT_TRUE(pages.mapped.empty());
}

TEST_F(AddressSpaceTest, TakenHintFallsBackToTopDown) {
    ASSERT_EQ(map(0xc000000000, 16 * P, PROT_NONE), 0xc000000000);
    EXPECT_EQ(map(0xc000000000, 4 * P, PROT_NONE), static_cast<long>(kTop - 4 * P));
    EXPECT_EQ(map(0xc000000000 + 15 * P, 2 * P, PROT_NONE), static_cast<long>(kTop - 6 * P)) << "partly taken";
}

TEST_F(AddressSpaceTest, UnalignedHintIsRoundedDown) {
    EXPECT_EQ(map(0xc000000123, P, PROT_NONE), 0xc000000000);
}

TEST_F(AddressSpaceTest, HintOutsideTheAllowedRangeIsIgnored) {
    EXPECT_EQ(map(0x1000, P, PROT_NONE), static_cast<long>(kTop - P)) << "below the floor";
    EXPECT_EQ(map(0x800000000000, P, PROT_NONE), static_cast<long>(kTop - 2 * P)) << "at the ceiling";
    EXPECT_EQ(map(0x800000000000 - P, 2 * P, PROT_NONE), static_cast<long>(kTop - 4 * P)) << "across the ceiling";
    // Above placement_top but below the ceiling is fine.
    EXPECT_EQ(map(0x7f8000000000, P, PROT_NONE), 0x7f8000000000);
}

TEST_F(AddressSpaceTest, LengthIsRoundedUpToPages) {
    long a = map(0, 1, RW);
    ASSERT_GT(a, 0);
    EXPECT_EQ(a, static_cast<long>(kTop - P));
    EXPECT_EQ(as.areas().at(0).length(), P);
    EXPECT_EQ(map(0, P + 1, RW), static_cast<long>(kTop - 3 * P));
    EXPECT_EQ(as.stats().committed_bytes, 3 * P);
}

TEST_F(AddressSpaceTest, NoRoomBelowPlacementTopIsENOMEM) {
    Limits small{0x100000, 0x800000000000, 0x200000, 0};
    auto tight = std::make_unique<AddressSpace>(pages, small);
    EXPECT_EQ(tight->mmap(0, 0x100000, PROT_NONE, ANON, -1, 0), 0x100000);
    EXPECT_EQ(tight->mmap(0, P, PROT_NONE, ANON, -1, 0), ENOMEM_);
    std::string n = tight->note();
    EXPECT_NE(n.find("out of address space"), std::string::npos) << n;
    EXPECT_NE(n.find("4 KiB"), std::string::npos) << n;
    EXPECT_EQ(tight->areas().count(), 1u);
    // A usable hint still works above placement_top.
    EXPECT_EQ(tight->mmap(0x300000, P, PROT_NONE, ANON, -1, 0), 0x300000);
}

// --- argument checks -------------------------------------------------------------------------

TEST_F(AddressSpaceTest, BadLengthIsEINVAL) {
    EXPECT_EQ(map(0, 0, RW), EINVAL_);
    EXPECT_EQ(map(0, 0x800000000001, RW), EINVAL_);
    EXPECT_EQ(map(0, UINT64_MAX, RW), EINVAL_);  // must not wrap when rounded up
    EXPECT_EQ(as.areas().count(), 0u);
}

TEST_F(AddressSpaceTest, OnlyAnonymousMemoryExists) {
    EXPECT_EQ(as.mmap(0, P, RW, MAP_PRIVATE, 3, 0), ENODEV_);
    EXPECT_TRUE(note_has("anonymous")) << note();
    EXPECT_EQ(as.mmap(0, P, RW, MAP_PRIVATE | MAP_ANONYMOUS, 3, 0), ENODEV_) << "anonymous with a file descriptor";
    EXPECT_EQ(as.mmap(0, P, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, P), ENODEV_) << "anonymous with an offset";
    EXPECT_EQ(as.mmap(0, P, RW, MAP_PRIVATE, -1, 0), ENODEV_);
    EXPECT_EQ(as.areas().count(), 0u);
}

TEST_F(AddressSpaceTest, UnknownProtectionBitsAreEINVAL) {
    EXPECT_EQ(map(0, P, 0x8), EINVAL_);
    EXPECT_EQ(map(0, P, RW | 0x1000000), EINVAL_);
    EXPECT_EQ(as.areas().count(), 0u);
    EXPECT_GT(map(0, P, PROT_READ | PROT_WRITE | PROT_EXEC), 0);
}

TEST_F(AddressSpaceTest, FixedMappingMustBeAlignedAndInRange) {
    EXPECT_EQ(map(0xc000000010, P, RW, ANON | MAP_FIXED), EINVAL_);
    EXPECT_TRUE(note_has("page aligned")) << note();
    EXPECT_EQ(map(0x1000, P, RW, ANON | MAP_FIXED), EINVAL_) << "below the floor";
    EXPECT_EQ(map(0x800000000000 - P, 2 * P, RW, ANON | MAP_FIXED), EINVAL_) << "across the ceiling";
    EXPECT_EQ(map(0xc000000010, P, RW, ANON | MAP_FIXED_NOREPLACE), EINVAL_);
    EXPECT_EQ(as.areas().count(), 0u);
    EXPECT_EQ(map(0x800000000000 - P, P, RW, ANON | MAP_FIXED), static_cast<long>(0x800000000000 - P));
    EXPECT_EQ(map(kLimits.floor, P, RW, ANON | MAP_FIXED), static_cast<long>(kLimits.floor));
}

// --- MAP_FIXED and MAP_FIXED_NOREPLACE --------------------------------------------------------

TEST_F(AddressSpaceTest, FixedNoReplaceOnAFreeRangeMapsExactlyThere) {
    EXPECT_EQ(map(0xc000000000, 4 * P, RW, ANON | MAP_FIXED_NOREPLACE), 0xc000000000);
}

TEST_F(AddressSpaceTest, FixedNoReplaceOnATakenRangeIsEEXIST) {
    ASSERT_EQ(map(0xc000000000, 4 * P, RW), 0xc000000000);
    touch(0xc000000000, 2);
    EXPECT_EQ(map(0xc000000000 + 3 * P, 4 * P, PROT_NONE, ANON | MAP_FIXED_NOREPLACE), EEXIST_);
    EXPECT_TRUE(note_has("MAP_FIXED_NOREPLACE")) << note();
    // Nothing changed.
    ASSERT_EQ(as.areas().count(), 1u);
    EXPECT_EQ(as.areas().at(0).end, 0xc000000000 + 4 * P);
    EXPECT_EQ(as.stats().resident_pages, 2u);
    EXPECT_EQ(pages.mapped.size(), 2u);
}

TEST_F(AddressSpaceTest, FixedCommitInsideAReservationSplitsIt) {
    // Go: reserve the arena, then commit pieces of it with MAP_FIXED.
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 16 * P, PROT_NONE), static_cast<long>(base));
    EXPECT_EQ(map(base + 4 * P, 4 * P, RW, ANON | MAP_FIXED), static_cast<long>(base + 4 * P));
    EXPECT_TRUE(note_has("committed")) << note();
    ASSERT_EQ(as.areas().count(), 3u);
    EXPECT_EQ(as.areas().at(0).prot, PROT_NONE);
    EXPECT_EQ(as.areas().at(1).start, base + 4 * P);
    EXPECT_EQ(as.areas().at(1).end, base + 8 * P);
    EXPECT_EQ(as.areas().at(1).prot, RW);
    EXPECT_EQ(as.areas().at(2).prot, PROT_NONE);
    EXPECT_EQ(as.stats().reserved_bytes, 12 * P);
    EXPECT_EQ(as.stats().committed_bytes, 4 * P);
    // The next commit right after merges with the first.
    EXPECT_EQ(map(base + 8 * P, 4 * P, RW, ANON | MAP_FIXED), static_cast<long>(base + 8 * P));
    EXPECT_EQ(as.areas().count(), 3u);
    EXPECT_EQ(as.stats().committed_bytes, 8 * P);
}

TEST_F(AddressSpaceTest, FixedCommitIsDemandPagedToo) {
    // Go turns reserved space into heap with mmap(MAP_FIXED, PROT_READ|PROT_WRITE); nothing is
    // backed until it is touched (stacks are populated explicitly, see PopulateWrite...).
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 16 * P, PROT_NONE), static_cast<long>(base));
    EXPECT_EQ(map(base, 4 * P, RW, ANON | MAP_FIXED), static_cast<long>(base));
    EXPECT_STREQ(as.note(), "committed, frames on first touch");
    EXPECT_TRUE(pages.mapped.empty());
    Stats st = as.stats();
    EXPECT_EQ(st.resident_pages, 0u);
    EXPECT_EQ(st.promised_pages, 4u) << "each untouched committed page is promised a frame";
    touch(base, 1);
    EXPECT_EQ(as.stats().promised_pages, 3u);
    EXPECT_EQ(as.stats().resident_pages, 1u);
}

TEST_F(AddressSpaceTest, PopulateWriteBacksEveryPageOfTheRangeNow) {
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 8 * P, RW), static_cast<long>(base));
    touch(base + P, 1);
    EXPECT_EQ(as.madvise(base, 4 * P, MADV_POPULATE_WRITE), 0);
    EXPECT_STREQ(as.note(), "3 frames mapped now") << "the page that had a frame keeps it";
    for (uint64_t i = 0; i < 4; ++i) {
        ASSERT_TRUE(pages.has(base + i * P)) << i;
        EXPECT_TRUE(pages.mapped[base + i * P]) << "writable";
        EXPECT_EQ(pages.maps[base + i * P], 1) << i;
    }
    EXPECT_FALSE(pages.has(base + 4 * P)) << "only the range asked for";
    Stats st = as.stats();
    EXPECT_EQ(st.resident_pages, 4u);
    EXPECT_EQ(st.promised_pages, 4u);
    EXPECT_EQ(st.faults, 1u) << "populating is not a fault";
    EXPECT_FALSE(as.handle_fault(base, true, true)) << "a backed page is not a missing page";
}

TEST_F(AddressSpaceTest, PopulateChecksTheRangeFirstAndChangesNothingOnError) {
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 2 * P, RW), static_cast<long>(base));
    ASSERT_EQ(map(base + 2 * P, 2 * P, PROT_READ, ANON | MAP_FIXED), static_cast<long>(base + 2 * P));
    ASSERT_EQ(map(base + 4 * P, 2 * P, PROT_NONE, ANON | MAP_FIXED), static_cast<long>(base + 4 * P));
    EXPECT_EQ(as.madvise(base, 4 * P, MADV_POPULATE_WRITE), EINVAL_) << "a read-only page in the range";
    EXPECT_TRUE(note_has("does not allow writing")) << note();
    EXPECT_TRUE(pages.mapped.empty()) << "checked before anything was backed";
    EXPECT_EQ(as.madvise(base, 4 * P, MADV_POPULATE_READ), 0) << "reading read-only pages is fine";
    EXPECT_FALSE(pages.mapped[base + 2 * P]) << "and they are mapped read-only";
    EXPECT_EQ(as.madvise(base + 4 * P, P, MADV_POPULATE_READ), EINVAL_) << "a PROT_NONE reservation";
    EXPECT_EQ(as.madvise(base + 6 * P, 2 * P, MADV_POPULATE_READ), ENOMEM_) << "a hole, as Linux says";
    EXPECT_TRUE(note_has("no mapping")) << note();
    EXPECT_EQ(as.madvise(0x7ffffffff000, 0x2000, MADV_POPULATE_WRITE), ENOMEM_) << "past the ceiling";
}

TEST_F(AddressSpaceTest, TheUntouchedPagesOfChargedMappingsArePromised) {
    // 80 frames, 16 kept for page tables: 64 pages can be promised, not one more.
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 128 * P, PROT_NONE), static_cast<long>(base));
    EXPECT_EQ(map(base, 65 * P, RW, ANON | MAP_FIXED), ENOMEM_);
    std::string n = note();
    EXPECT_NE(n.find("out of memory"), std::string::npos) << n;
    EXPECT_NE(n.find("asked for 260 KiB"), std::string::npos) << n;
    EXPECT_NE(n.find("80 frames (320 KiB) free"), std::string::npos) << n;
    EXPECT_NE(n.find("16 kept for page tables"), std::string::npos) << n;
    ASSERT_EQ(as.areas().count(), 1u) << "nothing changed";
    EXPECT_EQ(as.areas().at(0).prot, PROT_NONE);
    EXPECT_EQ(map(base, 64 * P, RW, ANON | MAP_FIXED), static_cast<long>(base));
    EXPECT_EQ(as.stats().promised_pages, 64u);
    EXPECT_EQ(as.unpromised_frames(), 0u);
    // Every promised page really gets its frame.
    touch(base, 64);
    EXPECT_EQ(as.stats().promised_pages, 0u);
    EXPECT_EQ(pages.free_frames(), 16u);
}

TEST_F(AddressSpaceTest, NoReserveMappingsAreNotCharged) {
    ASSERT_GT(map(0, 64 * P, RW), 0);  // everything promisable is promised
    long a = map(0, 1024 * P, RW, NORESERVE);
    ASSERT_GT(a, 0) << note();
    EXPECT_STREQ(as.note(), "not charged (MAP_NORESERVE), frames on first touch");
    Stats st = as.stats();
    EXPECT_EQ(st.committed_bytes, (64 + 1024) * P);
    EXPECT_EQ(st.promised_pages, 64u);
    EXPECT_EQ(as.areas().count(), 2u) << "a charged and a MAP_NORESERVE area never merge";
}

TEST_F(AddressSpaceTest, NoReserveFaultsTakeOnlyFramesNobodyWasPromised) {
    const uint64_t charged = 0xc000000000, sparse = 0xd000000000;
    ASSERT_EQ(map(charged, 60 * P, RW), static_cast<long>(charged));  // 60 + 16 of 80: 4 left
    ASSERT_EQ(map(sparse, 16 * P, RW, NORESERVE), static_cast<long>(sparse));
    EXPECT_EQ(as.unpromised_frames(), 4u);
    touch(sparse, 4);
    EXPECT_FALSE(as.handle_fault(sparse + 4 * P, true, false));
    EXPECT_TRUE(as.out_of_memory()) << "no frame: the kernel's out of memory, not the program's fault";
    std::string n = note();
    EXPECT_NE(n.find("out of memory"), std::string::npos) << n;
    EXPECT_NE(n.find("MAP_NORESERVE"), std::string::npos) << n;
    EXPECT_NE(n.find("promised"), std::string::npos) << n;
    EXPECT_EQ(as.madvise(sparse + 4 * P, P, MADV_POPULATE_WRITE), ENOMEM_) << "populating neither";
    // The charged mapping still gets all 60 of its frames.
    touch(charged, 60);
    EXPECT_EQ(pages.free_frames(), 16u);
    // Giving frames back makes room again.
    EXPECT_EQ(as.madvise(sparse, 2 * P, MADV_DONTNEED), 0);
    EXPECT_TRUE(as.handle_fault(sparse + 4 * P, true, false)) << note();
    EXPECT_FALSE(as.handle_fault(0xe000000000, true, false)) << "no mapping there";
    EXPECT_FALSE(as.out_of_memory()) << "a fault outside every mapping is the program's";
}

TEST_F(AddressSpaceTest, FixedNoReplaceAndUnhintedCommitsAreDemandPaged) {
    EXPECT_EQ(map(0xc000000000, 4 * P, RW, ANON | MAP_FIXED_NOREPLACE), 0xc000000000);
    EXPECT_GT(map(0, 4 * P, RW), 0);
    EXPECT_TRUE(pages.mapped.empty());
    EXPECT_EQ(as.stats().resident_pages, 0u);
}

TEST_F(AddressSpaceTest, FixedMappingReplacesTheFramesOfWhatItCovers) {
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 4 * P, RW), static_cast<long>(base));
    touch(base, 4);
    EXPECT_EQ(pages.free_frames(), 76u);
    // Replace the middle two pages with fresh memory: their old frames go back, and the new
    // mapping gets frames when it is touched, as any mapping does.
    EXPECT_EQ(map(base + P, 2 * P, RW, ANON | MAP_FIXED), static_cast<long>(base + P));
    EXPECT_EQ(pages.unmaps[base + P], 1);
    EXPECT_EQ(pages.unmaps[base + 2 * P], 1);
    EXPECT_FALSE(pages.has(base + P));
    EXPECT_EQ(pages.unmaps.count(base), 0u) << "pages outside the new mapping keep their frames";
    EXPECT_EQ(pages.unmaps.count(base + 3 * P), 0u);
    EXPECT_EQ(pages.free_frames(), 78u);
    Stats st = as.stats();
    EXPECT_EQ(st.resident_pages, 2u);
    EXPECT_EQ(st.promised_pages, 2u) << "the replaced pages are promised again, not twice";
    EXPECT_EQ(as.areas().count(), 1u) << "same protection all along: one area again";
    EXPECT_EQ(st.committed_bytes, 4 * P);
    touch(base + P, 2);
    EXPECT_EQ(pages.maps[base + P], 2) << "a fresh frame on the next touch";
}

TEST_F(AddressSpaceTest, FixedReservationOverCommittedMemoryDecommitsIt) {
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 8 * P, RW), static_cast<long>(base));
    touch(base, 8);
    EXPECT_EQ(map(base, 8 * P, PROT_NONE, ANON | MAP_FIXED), static_cast<long>(base));
    EXPECT_STREQ(as.note(), "reserved");
    EXPECT_TRUE(pages.mapped.empty());
    EXPECT_EQ(pages.free_frames(), 80u);
    Stats s = as.stats();
    EXPECT_EQ(s.resident_pages, 0u);
    EXPECT_EQ(s.committed_bytes, 0u);
    EXPECT_EQ(s.reserved_bytes, 8 * P);
    EXPECT_FALSE(as.handle_fault(base, false, false));
}

// --- the promise ----------------------------------------------------------------------------

TEST_F(AddressSpaceTest, OverPromisingIsENOMEMWithANote) {
    ASSERT_GT(map(0, 48 * P, RW), 0);
    touch(kTop - 48 * P, 3);  // 77 free, 45 promised, 16 kept: 16 more can be promised
    EXPECT_EQ(map(0, 17 * P, RW), ENOMEM_);
    std::string n = note();
    EXPECT_NE(n.find("out of memory"), std::string::npos) << n;
    EXPECT_NE(n.find("asked for 68 KiB"), std::string::npos) << n;
    EXPECT_NE(n.find("77 frames (308 KiB) free"), std::string::npos) << n;
    EXPECT_NE(n.find("45 already promised"), std::string::npos) << n;
    EXPECT_EQ(as.areas().count(), 1u);
    EXPECT_EQ(as.stats().committed_bytes, 48 * P);
    // Exactly up to the limit is fine.
    EXPECT_GT(map(0, 16 * P, RW), 0);
    EXPECT_EQ(as.stats().committed_bytes, 64 * P);
    EXPECT_EQ(map(0, P, PROT_READ), ENOMEM_);
}

TEST_F(AddressSpaceTest, ReservationsDoNotCountAgainstTheCommitLimit) {
    ASSERT_GT(map(0, 64 * P, RW), 0);
    EXPECT_EQ(map(0xc000000000, 1u << 30, PROT_NONE), 0xc000000000) << "1 GiB reservation at the limit";
    EXPECT_EQ(as.stats().reserved_bytes, 1u << 30);
}

TEST_F(AddressSpaceTest, ReplacedCommittedMemoryIsNotCountedTwice) {
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 64 * P, RW), static_cast<long>(base));  // at the limit
    // Re-committing part of it (Go does this when it reuses a span) stays within the limit.
    EXPECT_EQ(map(base + 16 * P, 16 * P, RW, ANON | MAP_FIXED), static_cast<long>(base + 16 * P));
    EXPECT_EQ(as.stats().committed_bytes, 64 * P);
    // Changing the protection of committed memory too.
    EXPECT_EQ(map(base, 8 * P, PROT_READ, ANON | MAP_FIXED), static_cast<long>(base));
    EXPECT_EQ(as.stats().committed_bytes, 64 * P);
    // One page beyond the committed range is new commitment: over the limit.
    EXPECT_EQ(map(base + 60 * P, 5 * P, RW, ANON | MAP_FIXED), ENOMEM_);
    EXPECT_EQ(as.stats().committed_bytes, 64 * P);
}

TEST_F(AddressSpaceTest, UnmappingGivesCommitmentBack) {
    ASSERT_GT(map(0, 64 * P, RW), 0);
    EXPECT_EQ(map(0, P, RW), ENOMEM_);
    EXPECT_EQ(as.munmap(kTop - 64 * P, 8 * P), 0);
    EXPECT_GT(map(0, 8 * P, RW), 0);
}

// --- munmap ----------------------------------------------------------------------------------

TEST_F(AddressSpaceTest, MunmapFreesFramesAndSplitsTheArea) {
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 8 * P, RW), static_cast<long>(base));
    touch(base, 8);
    EXPECT_EQ(as.munmap(base + 3 * P, 2 * P), 0);
    EXPECT_TRUE(note_has("2 frames freed")) << note();
    ASSERT_EQ(as.areas().count(), 2u);
    EXPECT_EQ(as.areas().at(0).end, base + 3 * P);
    EXPECT_EQ(as.areas().at(1).start, base + 5 * P);
    EXPECT_EQ(as.stats().resident_pages, 6u);
    EXPECT_EQ(as.stats().committed_bytes, 6 * P);
    EXPECT_EQ(pages.free_frames(), 74u);
    EXPECT_FALSE(pages.has(base + 3 * P));
    EXPECT_FALSE(pages.has(base + 4 * P));
    EXPECT_TRUE(pages.has(base + 5 * P));
    // The hole is gone for good: a fault there is an error.
    EXPECT_FALSE(as.handle_fault(base + 3 * P, false, false));
}

TEST_F(AddressSpaceTest, MunmapOfUntouchedOrReservedMemoryFreesNoFrames) {
    ASSERT_GT(map(0xc000000000, 4 * P, PROT_NONE), 0);
    ASSERT_GT(map(0xd000000000, 4 * P, RW), 0);
    EXPECT_EQ(as.munmap(0xc000000000, 4 * P), 0);
    EXPECT_EQ(as.munmap(0xd000000000, 4 * P), 0);
    EXPECT_EQ(as.areas().count(), 0u);
    EXPECT_STREQ(as.note(), "");
    EXPECT_EQ(pages.free_frames(), 80u);
}

TEST_F(AddressSpaceTest, MunmapArgumentChecks) {
    ASSERT_GT(map(0xc000000000, 4 * P, RW), 0);
    EXPECT_EQ(as.munmap(0xc000000010, P), EINVAL_);
    EXPECT_EQ(as.munmap(0xc000000000, 0), EINVAL_);
    EXPECT_EQ(as.areas().count(), 1u);
    EXPECT_EQ(as.munmap(0xe000000000, P), 0) << "nothing mapped there is not an error";
    EXPECT_EQ(as.munmap(0xc000000000, 1), 0) << "length rounded up to a page";
    EXPECT_EQ(as.areas().at(0).start, 0xc000000000 + P);
}

// --- madvise ---------------------------------------------------------------------------------

TEST_F(AddressSpaceTest, DontneedFreesFramesButKeepsTheAreaCommitted) {
    const uint64_t base = 0xc000000000;
    ASSERT_EQ(map(base, 4 * P, RW), static_cast<long>(base));
    touch(base, 4);
    EXPECT_EQ(as.madvise(base, 2 * P, MADV_DONTNEED), 0);
    EXPECT_TRUE(note_has("2 frames freed")) << note();
    EXPECT_EQ(as.stats().resident_pages, 2u);
    EXPECT_EQ(pages.free_frames(), 78u);
    EXPECT_FALSE(pages.has(base));
    EXPECT_TRUE(pages.has(base + 2 * P));
    EXPECT_EQ(as.stats().committed_bytes, 4 * P) << "still committed";
    EXPECT_EQ(as.areas().count(), 1u);
    // The next touch gets a fresh zeroed page.
    EXPECT_TRUE(as.handle_fault(base + 100, false, false));
    EXPECT_TRUE(pages.has(base));
    EXPECT_EQ(pages.maps[base], 2);
    EXPECT_EQ(as.stats().resident_pages, 3u);
    EXPECT_EQ(as.stats().faults, 5u);
}

TEST_F(AddressSpaceTest, MadvFreeBehavesLikeDontneed) {
    ASSERT_EQ(map(0xc000000000, 2 * P, RW), 0xc000000000);
    touch(0xc000000000, 2);
    EXPECT_EQ(as.madvise(0xc000000000, 1, MADV_FREE), 0);  // length rounded up to a page
    EXPECT_EQ(as.stats().resident_pages, 1u);
    EXPECT_FALSE(pages.has(0xc000000000));
    EXPECT_TRUE(pages.has(0xc000000000 + P));
}

TEST_F(AddressSpaceTest, DontneedOnReservationsAndHolesTouchesNothing) {
    ASSERT_EQ(map(0xc000000000, 4 * P, PROT_NONE), 0xc000000000);
    EXPECT_EQ(as.madvise(0xc000000000, 8 * P, MADV_DONTNEED), 0);
    EXPECT_TRUE(note_has("0 frames freed")) << note();
    EXPECT_EQ(pages.unmap_calls, 0u);
}

TEST_F(AddressSpaceTest, PolicyHintsAreAcceptedAndChangeNothing) {
    ASSERT_EQ(map(0xc000000000, 4 * P, RW), 0xc000000000);
    touch(0xc000000000, 1);
    EXPECT_EQ(as.madvise(0xc000000000, 4 * P, MADV_HUGEPAGE), 0);
    EXPECT_EQ(as.madvise(0xc000000000, 4 * P, MADV_NOHUGEPAGE), 0);
    EXPECT_EQ(as.madvise(0xc000000000, 4 * P, MADV_NORMAL), 0);
    EXPECT_EQ(as.stats().resident_pages, 1u);
    EXPECT_EQ(pages.unmap_calls, 0u);
}

TEST_F(AddressSpaceTest, UnknownAdviceOrUnalignedAddressIsEINVAL) {
    ASSERT_EQ(map(0xc000000000, 4 * P, RW), 0xc000000000);
    touch(0xc000000000, 1);
    EXPECT_EQ(as.madvise(0xc000000000, 4 * P, 100), EINVAL_);
    EXPECT_TRUE(note_has("unknown advice")) << note();
    EXPECT_EQ(as.madvise(0xc000000000, 4 * P, 1 /* MADV_RANDOM */), EINVAL_);
    EXPECT_EQ(as.madvise(0xc000000008, P, MADV_DONTNEED), EINVAL_);
    EXPECT_EQ(as.stats().resident_pages, 1u);
    EXPECT_EQ(pages.unmap_calls, 0u);
}

// --- handle_fault ----------------------------------------------------------------------------

TEST_F(AddressSpaceTest, FaultMapsAZeroedPageOnce) {
    ASSERT_EQ(map(0xc000000000, 4 * P, RW), 0xc000000000);
    EXPECT_TRUE(as.handle_fault(0xc000000000 + P + 0x123, true, false));
    EXPECT_TRUE(pages.has(0xc000000000 + P)) << "the page containing the address";
    EXPECT_TRUE(pages.mapped[0xc000000000 + P]) << "writable";
    Stats s = as.stats();
    EXPECT_EQ(s.resident_pages, 1u);
    EXPECT_EQ(s.faults, 1u);
    // The same page again, now present: a protection problem, not a missing page.
    EXPECT_FALSE(as.handle_fault(0xc000000000 + P, true, true));
    EXPECT_TRUE(note_has("mapped")) << note();
    EXPECT_EQ(as.stats().faults, 1u);
    EXPECT_EQ(pages.maps[0xc000000000 + P], 1);
}

TEST_F(AddressSpaceTest, FaultOutsideAnyAreaIsAnError) {
    EXPECT_FALSE(as.handle_fault(0xc000000000, false, false));
    EXPECT_TRUE(note_has("no mapping")) << note();
    ASSERT_EQ(map(0xc000000000, P, RW), 0xc000000000);
    EXPECT_FALSE(as.handle_fault(0xc000000000 + P, false, false)) << "one past the end";
    EXPECT_FALSE(as.handle_fault(0xc000000000 - 1, false, false));
    EXPECT_TRUE(pages.mapped.empty());
    EXPECT_EQ(as.stats().faults, 0u);
}

TEST_F(AddressSpaceTest, FaultInAReservationIsAnError) {
    ASSERT_EQ(map(0xc000000000, 4 * P, PROT_NONE), 0xc000000000);
    EXPECT_FALSE(as.handle_fault(0xc000000000 + P, false, false));
    EXPECT_TRUE(note_has("reserved")) << note();
    EXPECT_TRUE(note_has("0xc000000000")) << note();
    EXPECT_TRUE(pages.mapped.empty());
}

TEST_F(AddressSpaceTest, WriteToAReadOnlyAreaIsAnErrorButReadsAreServed) {
    ASSERT_EQ(map(0xc000000000, 2 * P, PROT_READ), 0xc000000000);
    EXPECT_FALSE(as.handle_fault(0xc000000000, true, false));
    EXPECT_TRUE(note_has("PROT_WRITE")) << note();
    EXPECT_TRUE(pages.mapped.empty());
    EXPECT_TRUE(as.handle_fault(0xc000000000, false, false));
    ASSERT_TRUE(pages.has(0xc000000000));
    EXPECT_FALSE(pages.mapped[0xc000000000]) << "mapped read-only";
    EXPECT_EQ(as.stats().faults, 1u);
}

TEST_F(AddressSpaceTest, ReadFaultInAWritableAreaMapsItWritable) {
    ASSERT_EQ(map(0xc000000000, P, RW), 0xc000000000);
    EXPECT_TRUE(as.handle_fault(0xc000000000, false, false));
    EXPECT_TRUE(pages.mapped[0xc000000000]);
}

TEST_F(AddressSpaceTest, OutOfFramesIsAnErrorWithANote) {
    FakePages few(2);
    Limits no_reserve = kLimits;
    no_reserve.reserve_frames = 0;
    auto small = std::make_unique<AddressSpace>(few, no_reserve);
    ASSERT_EQ(small->mmap(0xc000000000, 4 * P, RW, NORESERVE, -1, 0), 0xc000000000);
    EXPECT_TRUE(small->handle_fault(0xc000000000, true, false));
    EXPECT_TRUE(small->handle_fault(0xc000000000 + P, true, false));
    EXPECT_FALSE(small->handle_fault(0xc000000000 + 2 * P, true, false));
    std::string n = small->note();
    EXPECT_NE(n.find("out of memory"), std::string::npos) << n;
    Stats s = small->stats();
    EXPECT_EQ(s.resident_pages, 2u);
    EXPECT_EQ(s.faults, 2u) << "only served faults count";
    // Freeing a frame lets the fault succeed.
    EXPECT_EQ(small->madvise(0xc000000000, P, MADV_DONTNEED), 0);
    EXPECT_TRUE(small->handle_fault(0xc000000000 + 2 * P, true, false));
    EXPECT_EQ(small->stats().faults, 3u);
}

TEST_F(AddressSpaceTest, APromisedPageThatFindsNoFrameSaysThePageTablesAteIt) {
    // The fake cannot run out behind the promise's back; page tables can, when the reserve is
    // too small.  Simulate that: promise with reserve 0, then let the frames vanish.
    FakePages few(2);
    Limits no_reserve = kLimits;
    no_reserve.reserve_frames = 0;
    auto small = std::make_unique<AddressSpace>(few, no_reserve);
    ASSERT_EQ(small->mmap(0xc000000000, 2 * P, RW, ANON, -1, 0), 0xc000000000);
    ASSERT_EQ(small->mmap(0xd000000000, P, RW, NORESERVE, -1, 0), 0xd000000000);
    EXPECT_FALSE(small->handle_fault(0xd000000000, true, false)) << "both frames are promised";
    EXPECT_TRUE(small->handle_fault(0xc000000000, true, false));
    EXPECT_TRUE(few.map_zeroed(0xe000000000, true));  // a page table, say
    EXPECT_FALSE(small->handle_fault(0xc000000000 + P, true, false));
    std::string n = small->note();
    EXPECT_NE(n.find("although it was promised one"), std::string::npos) << n;
    EXPECT_NE(n.find("page tables"), std::string::npos) << n;
}

TEST_F(AddressSpaceTest, SuccessfulCallsClearThePreviousNote) {
    EXPECT_FALSE(as.handle_fault(0x1234000, false, false));
    EXPECT_STRNE(as.note(), "");
    ASSERT_EQ(map(0xc000000000, P, RW), 0xc000000000);
    EXPECT_TRUE(as.handle_fault(0xc000000000, false, false));
    EXPECT_STREQ(as.note(), "");
}

// --- the kernel's own area -------------------------------------------------------------------

class KernelAreaTest : public AddressSpaceTest {
protected:
    // The kernel sits right under placement_top, where top-down placement would start.
    static constexpr uint64_t kStart = kTop - 16 * P, kEnd = kTop;
    void SetUp() override { ASSERT_TRUE(as.reserve_kernel(kStart, kEnd)); }
};

TEST_F(KernelAreaTest, ReserveKernelRecordsAKernelArea) {
    ASSERT_EQ(as.areas().count(), 1u);
    EXPECT_EQ(as.areas().at(0).kind, VmaKind::Kernel);
    Stats s = as.stats();
    EXPECT_EQ(s.reserved_bytes, 0u) << "the kernel's area is neither reserved nor committed memory";
    EXPECT_EQ(s.committed_bytes, 0u);
    EXPECT_FALSE(as.reserve_kernel(kStart + P, kStart + 2 * P)) << "overlapping";
}

TEST_F(KernelAreaTest, AFaultInTheKernelsAreaSaysSo) {
    EXPECT_FALSE(as.handle_fault(kStart + P, true, false));
    EXPECT_STREQ(as.note(), "the address is in the kernel's own area");
}

TEST_F(KernelAreaTest, AFaultInPageZeroIsTheNullGuardNotTheKernel) {
    // The kernel's area starts at 0 in the real kernel (memory.cpp: reserve_kernel(0, floor)).
    ASSERT_TRUE(as.reserve_kernel(0, 4 * P));
    EXPECT_FALSE(as.handle_fault(0x10, true, false));
    EXPECT_STREQ(as.note(), "the address is in page 0, which is never mapped (the NULL guard)");
    EXPECT_FALSE(as.handle_fault(P + 0x10, false, false));
    EXPECT_STREQ(as.note(), "the address is in the kernel's own area") << "only page 0 is the NULL guard";
}

TEST_F(KernelAreaTest, ReserveKernelRoundsOutwardToPages) {
    ASSERT_TRUE(as.reserve_kernel(0x200123, 0x205001));
    const Vma* v = as.areas().find(0x200000);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->start, 0x200000u);
    EXPECT_EQ(v->end, 0x206000u);
    EXPECT_EQ(v->kind, VmaKind::Kernel);
}

TEST_F(KernelAreaTest, MmapNeverPlacesAMappingOverTheKernel) {
    EXPECT_EQ(map(0, 4 * P, RW), static_cast<long>(kStart - 4 * P));
    EXPECT_EQ(map(kStart, 4 * P, RW), static_cast<long>(kStart - 8 * P)) << "a hint into the kernel is not honoured";
    EXPECT_EQ(map(kStart - P, 2 * P, PROT_NONE), static_cast<long>(kStart - 10 * P));
}

TEST_F(KernelAreaTest, FixedMappingOverTheKernelIsRefused) {
    EXPECT_EQ(map(kStart + P, P, RW, ANON | MAP_FIXED), EINVAL_);
    EXPECT_TRUE(note_has("kernel")) << note();
    EXPECT_EQ(map(kStart - P, 2 * P, PROT_NONE, ANON | MAP_FIXED), EINVAL_) << "reaching into it";
    EXPECT_EQ(map(kStart, P, PROT_NONE, ANON | MAP_FIXED_NOREPLACE), EEXIST_);
    ASSERT_EQ(as.areas().count(), 1u);
    EXPECT_EQ(as.areas().at(0).start, kStart);
    EXPECT_EQ(as.areas().at(0).end, kEnd);
    EXPECT_EQ(as.areas().at(0).kind, VmaKind::Kernel);
}

TEST_F(KernelAreaTest, MunmapOfTheKernelIsRefused) {
    ASSERT_EQ(map(kStart - 4 * P, 4 * P, RW, ANON | MAP_FIXED), static_cast<long>(kStart - 4 * P));
    EXPECT_EQ(as.munmap(kStart, P), EINVAL_);
    EXPECT_EQ(as.munmap(kStart - 4 * P, 8 * P), EINVAL_) << "overlapping user memory and the kernel";
    EXPECT_TRUE(note_has("kernel")) << note();
    ASSERT_EQ(as.areas().count(), 2u) << "nothing was unmapped, not even the user part";
    EXPECT_EQ(as.areas().at(1).kind, VmaKind::Kernel);
    EXPECT_EQ(as.areas().at(1).start, kStart);
    EXPECT_EQ(as.areas().at(1).end, kEnd);
}

TEST_F(KernelAreaTest, FaultsAndMadviseLeaveTheKernelAlone) {
    EXPECT_FALSE(as.handle_fault(kStart + P, true, false));
    EXPECT_TRUE(note_has("kernel")) << note();
    EXPECT_EQ(as.madvise(kStart, 16 * P, MADV_DONTNEED), 0);
    EXPECT_EQ(pages.unmap_calls, 0u);
    EXPECT_TRUE(pages.mapped.empty());
}

}  // namespace
