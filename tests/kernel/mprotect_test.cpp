// kernel::memory::AddressSpace::mprotect (stage 09): areas split and merge, frames and their
// contents are kept, faults follow the new rights, and a commit by mprotect is charged.
#include <gtest/gtest.h>

#include <stdint.h>

#include <memory>
#include <string>

#include "fake_pages.hpp"
#include "memory/address_space.hpp"

namespace {

using namespace kernel::memory;
using namespace fake;
constexpr long EINVAL_ = -22, ENOMEM_ = -12, EACCES_ = -13;
constexpr Limits kLimits{0x100000, 0x800000000000, 0x7f0000000000, 16};  // 80 frames: 64 promisable

class MprotectTest : public ::testing::Test {
protected:
    MprotectTest() : pages(80), as(pages, kLimits) {}

    uint64_t map(uint64_t length, uint32_t prot, uint32_t flags = ANON) {
        long r = as.mmap(0, length, prot, flags, -1, 0);
        EXPECT_GT(r, 0) << as.note();
        return static_cast<uint64_t>(r);
    }
    bool touch(uint64_t va, bool write) { return as.handle_fault(va, write, pages.has(va)); }
    std::string note() const { return as.note(); }

    FakePages pages;
    AddressSpace as;
};

TEST_F(MprotectTest, ReadOnlyMiddleSplitsTheAreaAndRefusesWrites) {
    uint64_t a = map(4 * P, RW);
    ASSERT_TRUE(touch(a + P, true));
    ASSERT_EQ(as.mprotect(a + P, 2 * P, PROT_READ), 0) << note();
    ASSERT_EQ(as.areas().count(), 3u);
    EXPECT_EQ(as.areas().at(1).start, a + P);
    EXPECT_EQ(as.areas().at(1).end, a + 3 * P);
    EXPECT_EQ(as.areas().at(1).prot, PROT_READ);
    EXPECT_FALSE(pages.mapped[a + P]) << "the resident page lost its write access";
    EXPECT_EQ(pages.protects[a + P], 1);
    EXPECT_EQ(pages.maps[a + P], 1) << "the same frame, not a fresh one";

    // A write to the read-only pages is the program's fault, with the area in the note.
    EXPECT_FALSE(as.handle_fault(a + P, true, true));
    EXPECT_NE(note().find("read-only area"), std::string::npos) << note();
    EXPECT_FALSE(touch(a + 2 * P, true)) << "not resident either, still read-only";
    // Reading an untouched read-only page maps a read-only zero page; the rest stays writable.
    EXPECT_TRUE(touch(a + 2 * P, false));
    EXPECT_FALSE(pages.mapped[a + 2 * P]);
    EXPECT_TRUE(touch(a + 3 * P, true));
    EXPECT_TRUE(pages.mapped[a + 3 * P]);

    // Access given back: one area again, the pages writable.
    ASSERT_EQ(as.mprotect(a, 4 * P, RW), 0) << note();
    EXPECT_EQ(as.areas().count(), 1u);
    EXPECT_TRUE(pages.mapped[a + P]);
    EXPECT_TRUE(pages.mapped[a + 2 * P]);
}

TEST_F(MprotectTest, NoAccessKeepsTheFramesAndTheirCharge) {
    uint64_t a = map(2 * P, RW);
    ASSERT_TRUE(touch(a, true));
    Stats before = as.stats();
    size_t free_before = pages.free_frames();
    ASSERT_EQ(as.mprotect(a, 2 * P, PROT_NONE), 0) << note();
    EXPECT_EQ(note(), "no access; 1 page keeps its frame until access is given back");
    EXPECT_EQ(pages.free_frames(), free_before) << "no frame was given back";
    EXPECT_EQ(pages.no_access.count(a), 1u);
    ASSERT_EQ(as.areas().count(), 1u);
    EXPECT_TRUE(as.areas().at(0).parked);
    Stats parked = as.stats();
    EXPECT_EQ(parked.committed_bytes, before.committed_bytes) << "parked memory is still committed";
    EXPECT_EQ(parked.reserved_bytes, before.reserved_bytes);
    EXPECT_EQ(parked.promised_pages, before.promised_pages) << "and still promised its untouched page";

    // No access at all: not even the untouched page gets a frame.
    EXPECT_FALSE(touch(a + P, false));
    EXPECT_NE(note().find("PROT_NONE with mprotect"), std::string::npos) << note();
    EXPECT_FALSE(pages.has(a + P));
    EXPECT_FALSE(as.handle_fault(a, false, false)) << "the parked page is not present either";

    ASSERT_EQ(as.mprotect(a, 2 * P, RW), 0) << note();
    EXPECT_FALSE(as.areas().at(0).parked);
    EXPECT_EQ(pages.no_access.count(a), 0u);
    EXPECT_EQ(pages.maps[a], 1) << "the page has its old frame, so its old contents";
    EXPECT_TRUE(touch(a + P, true));
}

TEST_F(MprotectTest, UnmappingParkedMemoryFreesItsFrames) {
    uint64_t a = map(2 * P, RW);
    ASSERT_TRUE(touch(a, true));
    ASSERT_TRUE(touch(a + P, true));
    ASSERT_EQ(as.mprotect(a, 2 * P, PROT_NONE), 0);
    size_t free_before = pages.free_frames();
    ASSERT_EQ(as.munmap(a, 2 * P), 0);
    EXPECT_EQ(pages.free_frames(), free_before + 2);
    EXPECT_EQ(as.stats().resident_pages, 0u);
    EXPECT_EQ(as.stats().committed_bytes, 0u);
}

TEST_F(MprotectTest, AccessToAReservationCommitsAndIsCharged) {
    uint64_t a = map(8 * P, PROT_NONE);
    ASSERT_EQ(as.mprotect(a, 2 * P, RW), 0) << note();
    EXPECT_EQ(note(), "2 reserved pages committed, frames on first touch");
    EXPECT_EQ(as.stats().committed_bytes, 2 * P);
    EXPECT_EQ(as.stats().reserved_bytes, 6 * P);
    EXPECT_EQ(as.stats().promised_pages, 2u);
    EXPECT_TRUE(touch(a, true));
    EXPECT_EQ(pages.protects.size(), 0u) << "a reservation has no frames to change";
    // Making a reservation PROT_NONE again changes nothing it holds.
    ASSERT_EQ(as.mprotect(a + 4 * P, P, PROT_NONE), 0);
    EXPECT_FALSE(as.areas().find(a + 4 * P)->parked);
}

TEST_F(MprotectTest, ACommitBeyondThePromiseIsENOMEM) {
    uint64_t a = map(100 * P, PROT_NONE);  // 64 frames can be promised
    EXPECT_EQ(as.mprotect(a, 65 * P, RW), ENOMEM_);
    EXPECT_EQ(note().rfind("out of memory: committing 65 reserved pages", 0), 0u) << note();
    EXPECT_EQ(as.areas().count(), 1u) << "nothing changed";
    EXPECT_EQ(as.mprotect(a, 64 * P, RW), 0) << note();
}

TEST_F(MprotectTest, NoReserveMemoryStaysUncharged) {
    uint64_t a = map(4 * P, RW, ANON | MAP_NORESERVE);
    ASSERT_EQ(as.mprotect(a, 4 * P, PROT_READ), 0);
    EXPECT_TRUE(as.areas().at(0).noreserve);
    EXPECT_EQ(as.stats().promised_pages, 0u);
}

TEST_F(MprotectTest, ErrorsAreLinuxs) {
    uint64_t a = map(2 * P, RW);
    EXPECT_EQ(as.mprotect(a + 1, P, PROT_READ), EINVAL_) << "unaligned";
    EXPECT_EQ(as.mprotect(a, P, 0x01000000), EINVAL_) << "PROT_GROWSDOWN";
    EXPECT_EQ(as.mprotect(a, 3 * P, PROT_READ), ENOMEM_) << "runs past the mapping";
    EXPECT_EQ(note(), "no mapping contains 0x" + [&] {
        char hex[32];
        snprintf(hex, sizeof hex, "%lx", static_cast<unsigned long>(a + 2 * P));
        return std::string(hex);
    }());
    EXPECT_EQ(as.areas().at(0).prot, RW) << "an error changes nothing";
    EXPECT_EQ(as.mprotect(a, 0, PROT_READ), 0) << "an empty range is fine";
    EXPECT_EQ(as.mprotect(0x800000000000 - P, 2 * P, PROT_READ), ENOMEM_) << "leaves the address space";
}

TEST_F(MprotectTest, TheKernelsAreaIsRefused) {
    ASSERT_TRUE(as.reserve_kernel(0, 0x100000));
    EXPECT_EQ(as.mprotect(0x2000, P, PROT_READ), EACCES_);
    EXPECT_FALSE(as.is_program_memory(0x2000)) << "a fault there is SEGV_MAPERR";
}

TEST_F(MprotectTest, ProgramMemoryDecidesTheSignalCode) {
    uint64_t r = map(2 * P, PROT_NONE);
    uint64_t c = map(P, RW);
    EXPECT_TRUE(as.is_program_memory(r)) << "a reservation is mapped: SEGV_ACCERR";
    EXPECT_TRUE(as.is_program_memory(c));
    EXPECT_FALSE(as.is_program_memory(0x10000000)) << "nothing there: SEGV_MAPERR";
}

}  // namespace
