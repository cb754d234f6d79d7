// kernel::heap::Allocator: first-fit, address-ordered free list over a caller-provided region.
//
// Block geometry the tests rely on (heap.cpp): a 16-byte header in front of every payload,
// block sizes are multiples of 16, and no block smaller than 48 bytes (header + 32) is ever
// split off.  So allocate(n) takes max(48, round_up(n + 16, 16)) bytes of the region.
#include "heap.hpp"

#include <gtest/gtest.h>

#include <stddef.h>
#include <stdint.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <vector>

namespace {

using kernel::heap::Allocator;

constexpr size_t kHeader = 16;
constexpr size_t kMinBlock = 48;
constexpr unsigned char kGuard = 0xA5;
constexpr size_t kGuardBytes = 64;

// Bytes allocate(n) takes out of the region, header included.
constexpr size_t block_for(size_t n) {
    size_t need = (n + kHeader + 15) / 16 * 16;
    return need < kMinBlock ? kMinBlock : need;
}

// A heap region with guard bytes on both sides, so a write outside the region is caught.
// The region starts 16-byte aligned (plus `misalign` bytes when asked).
class Region {
public:
    explicit Region(size_t size, size_t misalign = 0) : size_(size), misalign_(misalign) {
        storage_.assign(size + misalign + 2 * kGuardBytes + 16, kGuard);
        auto raw = reinterpret_cast<uintptr_t>(storage_.data());
        uintptr_t aligned = (raw + kGuardBytes + 15) & ~uintptr_t{15};
        base_ = reinterpret_cast<unsigned char*>(aligned) + misalign;
    }
    void* base() const { return base_; }
    size_t size() const { return size_; }
    bool contains(const void* p, size_t n) const {
        auto a = reinterpret_cast<uintptr_t>(p);
        auto b = reinterpret_cast<uintptr_t>(base_);
        return a >= b && a + n <= b + size_;
    }
    bool guards_intact() const {
        const unsigned char* first = storage_.data();
        const unsigned char* end = storage_.data() + storage_.size();
        for (const unsigned char* p = first; p < base_; ++p)
            if (*p != kGuard) return false;
        for (const unsigned char* p = base_ + size_; p < end; ++p)
            if (*p != kGuard) return false;
        return true;
    }

private:
    std::vector<unsigned char> storage_;
    unsigned char* base_ = nullptr;
    size_t size_;
    size_t misalign_;
};

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

class HeapTest : public ::testing::Test {
protected:
    static constexpr size_t kSize = 4096;
    Region region{kSize};
    Allocator heap;

    void SetUp() override { heap.init(region.base(), region.size()); }
    void TearDown() override { EXPECT_TRUE(region.guards_intact()) << "the heap wrote outside its region"; }

    // The whole region as one free block.
    static constexpr size_t kAllFree = kSize - kHeader;
};

TEST_F(HeapTest, FreshHeapIsOneFreeBlockOverTheWholeRegion) {
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kAllFree);
    EXPECT_EQ(heap.largest_free(), kAllFree);
}

TEST_F(HeapTest, AllocationsAre16ByteAlignedInsideTheRegionAndUsable) {
    std::vector<std::pair<unsigned char*, size_t>> blocks;
    const size_t sizes[] = {1, 7, 15, 16, 17, 31, 32, 33, 100, 255};
    for (size_t i = 0; i < std::size(sizes); ++i) {
        auto* p = static_cast<unsigned char*>(heap.allocate(sizes[i]));
        ASSERT_NE(p, nullptr) << "allocate(" << sizes[i] << ")";
        EXPECT_TRUE(aligned16(p)) << "allocate(" << sizes[i] << ") = " << static_cast<void*>(p);
        EXPECT_TRUE(region.contains(p, sizes[i]));
        memset(p, static_cast<int>(0x10 + i), sizes[i]);
        blocks.emplace_back(p, sizes[i]);
    }
    // Every block still holds its own pattern: no two allocations overlap, and the allocator
    // did not write into handed-out payloads.
    for (size_t i = 0; i < blocks.size(); ++i)
        for (size_t j = 0; j < blocks[i].second; ++j)
            ASSERT_EQ(blocks[i].first[j], 0x10 + i) << "block " << i << " byte " << j;
}

TEST_F(HeapTest, SplitTakesTheRoundedSizePlusHeader) {
    void* p = heap.allocate(100);  // 100 + 16 -> 128
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kAllFree - 128);
    EXPECT_EQ(heap.largest_free(), kAllFree - 128);

    void* q = heap.allocate(1);  // the minimum block, 48
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(heap.free_bytes(), kAllFree - 128 - 48);
    // First fit from the start of the region: q directly follows p's block.
    EXPECT_EQ(static_cast<char*>(q) - static_cast<char*>(p), 128);
    // The first allocation sits right after the first header.
    EXPECT_EQ(static_cast<char*>(p) - static_cast<char*>(region.base()), static_cast<ptrdiff_t>(kHeader));
}

TEST_F(HeapTest, AllocateZeroGivesAUniqueFreeableMinimumBlock) {
    void* a = heap.allocate(0);
    void* b = heap.allocate(0);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_NE(a, b);
    EXPECT_TRUE(aligned16(a));
    EXPECT_EQ(heap.free_bytes(), kAllFree - 2 * kMinBlock);
    EXPECT_TRUE(heap.free(a));
    EXPECT_TRUE(heap.free(b));
    EXPECT_EQ(heap.free_bytes(), kAllFree);
    EXPECT_EQ(heap.block_count(), 1u);
}

TEST_F(HeapTest, NoSplitWhenTheRemainderWouldBeTooSmall) {
    // Leaves 32 bytes: less than a minimum block, so the whole block is handed out.
    size_t n = kSize - kHeader - 32;
    void* p = heap.allocate(n);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(heap.free_bytes(), 0u);
    EXPECT_EQ(heap.largest_free(), 0u);
    EXPECT_EQ(heap.block_count(), 0u);
    EXPECT_EQ(heap.allocate(1), nullptr);
    EXPECT_TRUE(heap.free(p));
    EXPECT_EQ(heap.free_bytes(), kAllFree);
    EXPECT_EQ(heap.block_count(), 1u);
}

TEST_F(HeapTest, LargestFreeIsExactlyAllocatable) {
    void* p = heap.allocate(200);
    ASSERT_NE(p, nullptr);
    size_t largest = heap.largest_free();
    EXPECT_EQ(heap.allocate(largest + 1), nullptr);
    EXPECT_EQ(heap.largest_free(), largest) << "a failed allocation changed the heap";
    void* q = heap.allocate(largest);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(heap.free_bytes(), 0u);
    EXPECT_EQ(heap.largest_free(), 0u);
}

TEST_F(HeapTest, ImpossibleSizesReturnNullAndChangeNothing) {
    EXPECT_EQ(heap.allocate(kSize), nullptr);
    EXPECT_EQ(heap.allocate(kAllFree + 1), nullptr);
    EXPECT_EQ(heap.allocate(SIZE_MAX), nullptr);       // size + header must not wrap around
    EXPECT_EQ(heap.allocate(SIZE_MAX - 15), nullptr);
    EXPECT_EQ(heap.free_bytes(), kAllFree);
    EXPECT_EQ(heap.block_count(), 1u);
}

TEST_F(HeapTest, ExhaustionReturnsNullThenFreeingEverythingRestoresOneBlock) {
    // 64-byte payloads take 80-byte blocks: 50 of them use 4000 bytes, and the 51st takes the
    // remaining 96 whole (96 - 80 = 16 is too small to split off).
    std::vector<void*> blocks;
    for (;;) {
        void* p = heap.allocate(64);
        if (!p) break;
        blocks.push_back(p);
        ASSERT_LE(blocks.size(), kSize / block_for(64) + 1) << "more blocks than fit in the region";
    }
    EXPECT_EQ(blocks.size(), 51u);
    EXPECT_EQ(heap.free_bytes(), 0u);
    EXPECT_EQ(heap.block_count(), 0u);
    EXPECT_EQ(heap.allocate(0), nullptr);

    for (void* p : blocks) EXPECT_TRUE(heap.free(p));
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kAllFree);
}

TEST_F(HeapTest, FreeMergesWithTheFollowingBlock) {
    void* a = heap.allocate(64);
    void* b = heap.allocate(64);
    ASSERT_TRUE(a && b);
    // b's block touches the free tail: freeing it leaves one free block after a.
    EXPECT_TRUE(heap.free(b));
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kAllFree - block_for(64));
}

TEST_F(HeapTest, FreeMergesWithThePrecedingBlock) {
    void* a = heap.allocate(64);
    void* b = heap.allocate(64);
    void* c = heap.allocate(64);
    ASSERT_TRUE(a && b && c);
    EXPECT_TRUE(heap.free(a));
    EXPECT_EQ(heap.block_count(), 2u);  // a's block, the tail
    EXPECT_TRUE(heap.free(b));          // merges into a's block
    EXPECT_EQ(heap.block_count(), 2u);
    EXPECT_EQ(heap.largest_free(), kAllFree - 3 * block_for(64));  // the tail is still larger
    // The merged hole holds one block of 2 * 80 bytes: a 144-byte payload fits at a.
    void* big = heap.allocate(2 * block_for(64) - kHeader);
    EXPECT_EQ(big, a);
    EXPECT_TRUE(heap.free(big));
    EXPECT_TRUE(heap.free(c));
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kAllFree);
}

TEST_F(HeapTest, FreeBetweenTwoFreeBlocksMergesAllThree) {
    void* a = heap.allocate(32);
    void* b = heap.allocate(32);
    void* c = heap.allocate(32);
    void* d = heap.allocate(32);  // keeps c away from the tail
    ASSERT_TRUE(a && b && c && d);
    EXPECT_TRUE(heap.free(a));
    EXPECT_TRUE(heap.free(c));
    EXPECT_EQ(heap.block_count(), 3u);  // a, c, tail
    EXPECT_TRUE(heap.free(b));
    EXPECT_EQ(heap.block_count(), 2u);  // a+b+c, tail
    // Free: everything but d's block, less one header per free block.
    EXPECT_EQ(heap.free_bytes(), kSize - block_for(32) - 2 * kHeader);
    EXPECT_TRUE(heap.free(d));
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kAllFree);
}

// Frees five neighbouring blocks in every possible order and compares block_count() after each
// step with a model: the number of maximal runs of free blocks (the tail counts as free).
TEST_F(HeapTest, CoalescingMatchesAModelForEveryFreeOrder) {
    constexpr int kBlocks = 5;
    std::vector<int> order(kBlocks);
    std::iota(order.begin(), order.end(), 0);
    int permutations = 0;
    do {
        heap.init(region.base(), region.size());
        void* blocks[kBlocks];
        for (int i = 0; i < kBlocks; ++i) {
            blocks[i] = heap.allocate(40);
            ASSERT_NE(blocks[i], nullptr);
        }
        bool is_free[kBlocks + 1] = {false, false, false, false, false, true};  // [kBlocks] = tail
        for (int step = 0; step < kBlocks; ++step) {
            int victim = order[step];
            ASSERT_TRUE(heap.free(blocks[victim]));
            is_free[victim] = true;
            size_t runs = 0;
            for (int i = 0; i <= kBlocks; ++i)
                if (is_free[i] && (i == 0 || !is_free[i - 1])) ++runs;
            ASSERT_EQ(heap.block_count(), runs) << "permutation " << permutations << ", step " << step;
        }
        ASSERT_EQ(heap.block_count(), 1u);
        ASSERT_EQ(heap.free_bytes(), kAllFree);
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(permutations, 120);
}

TEST_F(HeapTest, FirstFitReusesTheLowestHoleThatFits) {
    void* a = heap.allocate(64);
    void* b = heap.allocate(64);
    void* c = heap.allocate(256);
    void* d = heap.allocate(64);
    ASSERT_TRUE(a && b && c && d);
    EXPECT_TRUE(heap.free(a));  // 80-byte hole
    EXPECT_TRUE(heap.free(c));  // 272-byte hole
    EXPECT_EQ(heap.allocate(100), c) << "too big for a's hole: the next hole that fits";
    EXPECT_EQ(heap.allocate(16), a) << "fits a's hole, the lowest";
}

TEST_F(HeapTest, ReusingAHoleSplitsItWhenTheRestIsBigEnough) {
    void* a = heap.allocate(256);  // 272-byte block
    void* b = heap.allocate(16);
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(heap.free(a));
    size_t before = heap.free_bytes();
    void* p = heap.allocate(16);  // 48 of the 272: the remaining 224 stay free
    EXPECT_EQ(p, a);
    EXPECT_EQ(heap.free_bytes(), before - 48);
    EXPECT_EQ(heap.block_count(), 2u);
    void* q = heap.allocate(224 - kHeader);  // exactly the rest of the hole
    EXPECT_EQ(static_cast<char*>(q), static_cast<char*>(a) + 48);
    EXPECT_EQ(heap.block_count(), 1u);  // only the tail is left
}

TEST_F(HeapTest, FreeOfNullIsAcceptedAndChangesNothing) {
    void* a = heap.allocate(10);
    ASSERT_NE(a, nullptr);
    size_t free_before = heap.free_bytes();
    EXPECT_TRUE(heap.free(nullptr));
    EXPECT_EQ(heap.free_bytes(), free_before);
    EXPECT_EQ(heap.block_count(), 1u);
}

TEST_F(HeapTest, DoubleFreeIsRejectedAndChangesNothing) {
    void* a = heap.allocate(64);
    void* b = heap.allocate(64);
    void* c = heap.allocate(64);
    ASSERT_TRUE(a && b && c);
    EXPECT_TRUE(heap.free(b));
    size_t free_before = heap.free_bytes();
    size_t blocks_before = heap.block_count();
    EXPECT_FALSE(heap.free(b));
    EXPECT_EQ(heap.free_bytes(), free_before);
    EXPECT_EQ(heap.block_count(), blocks_before);

    // b's block has now merged into a's: its old header is inside a free block.
    EXPECT_TRUE(heap.free(a));
    free_before = heap.free_bytes();
    blocks_before = heap.block_count();
    EXPECT_FALSE(heap.free(b));
    EXPECT_FALSE(heap.free(a));
    EXPECT_EQ(heap.free_bytes(), free_before);
    EXPECT_EQ(heap.block_count(), blocks_before);

    // The heap still works: the merged hole is handed out whole.
    void* big = heap.allocate(2 * block_for(64) - kHeader);
    EXPECT_EQ(big, a);
}

TEST_F(HeapTest, DoubleFreeOfABlockMergedIntoTheTailIsRejected) {
    void* a = heap.allocate(64);
    void* b = heap.allocate(64);
    ASSERT_TRUE(a && b);
    EXPECT_TRUE(heap.free(b));  // b is now the head of the merged tail block
    EXPECT_FALSE(heap.free(b));
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kAllFree - block_for(64));
}

TEST_F(HeapTest, ForeignPointersAreRejectedAndChangeNothing) {
    auto* a = static_cast<unsigned char*>(heap.allocate(128));
    ASSERT_NE(a, nullptr);
    memset(a, 0, 128);
    size_t free_before = heap.free_bytes();
    size_t blocks_before = heap.block_count();

    alignas(16) unsigned char outside[64] = {};
    EXPECT_FALSE(heap.free(outside + 16));
    EXPECT_FALSE(heap.free(a + 1));   // misaligned
    EXPECT_FALSE(heap.free(a + 8));
    EXPECT_FALSE(heap.free(a + 16));  // inside the payload, aligned
    EXPECT_FALSE(heap.free(a + 64));
    EXPECT_FALSE(heap.free(region.base()));  // no header in front of the region
    EXPECT_FALSE(heap.free(static_cast<char*>(region.base()) + region.size()));  // one past the end
    EXPECT_FALSE(heap.free(static_cast<char*>(region.base()) + region.size() + 16));
    // Payload position of the free tail block: never handed out.
    EXPECT_FALSE(heap.free(a + 128 + kHeader));

    EXPECT_EQ(heap.free_bytes(), free_before);
    EXPECT_EQ(heap.block_count(), blocks_before);
    EXPECT_TRUE(heap.free(a));  // the real pointer still works
    EXPECT_EQ(heap.free_bytes(), kAllFree);
}

TEST(Heap, MisalignedRegionIsRoundedInward) {
    Region region(4096, 3);  // base = 16k + 3
    Allocator heap;
    heap.init(region.base(), region.size());
    // Usable: [16k + 16, (16k + 3 + 4096) & ~15) = 4080 bytes, one header.
    EXPECT_EQ(heap.free_bytes(), 4080u - kHeader);
    std::vector<void*> blocks;
    while (void* p = heap.allocate(24)) {
        EXPECT_TRUE(aligned16(p));
        EXPECT_TRUE(region.contains(static_cast<char*>(p) - kHeader, kHeader + 24));
        memset(p, 0x5a, 24);
        blocks.push_back(p);
    }
    EXPECT_EQ(blocks.size(), 4080u / kMinBlock);  // 85 blocks of 48 bytes
    for (void* p : blocks) EXPECT_TRUE(heap.free(p));
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_TRUE(region.guards_intact());
}

TEST(Heap, RegionTooSmallForOneBlockHasNothingToGive) {
    Region region(32);
    Allocator heap;
    heap.init(region.base(), region.size());
    EXPECT_EQ(heap.block_count(), 0u);
    EXPECT_EQ(heap.free_bytes(), 0u);
    EXPECT_EQ(heap.largest_free(), 0u);
    EXPECT_EQ(heap.allocate(1), nullptr);
    EXPECT_EQ(heap.allocate(0), nullptr);
    EXPECT_TRUE(region.guards_intact());
}

TEST(Heap, SmallestUsableRegionHoldsOneMinimumBlock) {
    Region region(kMinBlock);
    Allocator heap;
    heap.init(region.base(), region.size());
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kMinBlock - kHeader);
    EXPECT_EQ(heap.allocate(kMinBlock - kHeader + 1), nullptr);
    void* p = heap.allocate(kMinBlock - kHeader);
    ASSERT_NE(p, nullptr);
    memset(p, 0xee, kMinBlock - kHeader);
    EXPECT_EQ(heap.allocate(1), nullptr);
    EXPECT_TRUE(heap.free(p));
    EXPECT_EQ(heap.free_bytes(), kMinBlock - kHeader);
    EXPECT_TRUE(region.guards_intact());
}

TEST(Heap, UninitialisedAllocatorHandsOutNothing) {
    Allocator heap;
    EXPECT_EQ(heap.allocate(1), nullptr);
    EXPECT_EQ(heap.free_bytes(), 0u);
    EXPECT_EQ(heap.block_count(), 0u);
    EXPECT_TRUE(heap.free(nullptr));
    alignas(16) unsigned char somewhere[64] = {};
    EXPECT_FALSE(heap.free(somewhere + 16));
}

TEST(Heap, ReinitForgetsEarlierAllocations) {
    Region region(1024);
    Allocator heap;
    heap.init(region.base(), region.size());
    ASSERT_NE(heap.allocate(100), nullptr);
    ASSERT_NE(heap.allocate(100), nullptr);
    heap.init(region.base(), region.size());
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), 1024u - kHeader);
}

// Random allocations and frees against a record of what is live: every payload keeps its
// contents, no two overlap, every byte of the region is either in a free block or in a live
// block, and freeing everything restores one block.
TEST(Heap, RandomWorkloadKeepsPayloadsIntactAndAccountingExact) {
    constexpr size_t kSize = 64 * 1024;
    Region region(kSize);
    Allocator heap;
    heap.init(region.base(), region.size());

    struct Live {
        size_t size;   // asked for
        size_t block;  // taken from the region, header included
        unsigned char tag;
    };
    std::map<unsigned char*, Live> live;
    std::mt19937 rng(20240611);
    unsigned char next_tag = 1;
    // Bytes of the region in free blocks, headers included.
    auto free_region = [&] { return heap.free_bytes() + heap.block_count() * kHeader; };
    auto live_region = [&] {
        size_t total = 0;
        for (auto& entry : live) total += entry.second.block;
        return total;
    };
    auto payload_intact = [](unsigned char* p, const Live& l) {
        for (size_t i = 0; i < l.size; ++i)
            if (p[i] != l.tag) return false;
        return true;
    };

    int failures = 0;
    for (int step = 0; step < 4000; ++step) {
        bool do_alloc = live.empty() || rng() % 100 < 55;
        if (do_alloc) {
            size_t size = rng() % 700;
            size_t largest = heap.largest_free();
            size_t free_before = free_region();
            auto* p = static_cast<unsigned char*>(heap.allocate(size));
            if (!p) {
                // Fails only when no free block is big enough.
                ASSERT_GT(block_for(size), largest + kHeader) << "allocate(" << size << ") failed with room left";
                ASSERT_EQ(free_region(), free_before);
                ++failures;
                continue;
            }
            ASSERT_LE(block_for(size), largest + kHeader);
            ASSERT_TRUE(aligned16(p));
            ASSERT_TRUE(region.contains(p - kHeader, kHeader + size));
            size_t taken = free_before - free_region();
            // The block is the rounded size, or a little more when the rest was too small to
            // split off.
            ASSERT_GE(taken, block_for(size));
            ASSERT_LT(taken, block_for(size) + kMinBlock);
            // No overlap with a live block, headers included.
            auto after = live.lower_bound(p);
            if (after != live.end()) {
                ASSERT_LE(p - kHeader + taken, after->first - kHeader);
            }
            if (after != live.begin()) {
                auto before = std::prev(after);
                ASSERT_LE(before->first - kHeader + before->second.block, p - kHeader);
            }
            Live l{size, taken, next_tag};
            next_tag = static_cast<unsigned char>(next_tag == 255 ? 1 : next_tag + 1);
            memset(p, l.tag, size);
            live.emplace(p, l);
        } else {
            auto it = live.begin();
            std::advance(it, rng() % live.size());
            ASSERT_TRUE(payload_intact(it->first, it->second)) << "payload overwritten at step " << step;
            size_t free_before = free_region();
            ASSERT_TRUE(heap.free(it->first));
            ASSERT_EQ(free_region(), free_before + it->second.block) << "free gave back a different amount";
            ASSERT_FALSE(heap.free(it->first));
            live.erase(it);
        }
        ASSERT_LE(heap.largest_free(), heap.free_bytes());
        ASSERT_EQ(free_region() + live_region(), kSize) << "bytes lost or double counted at step " << step;
    }
    EXPECT_GT(failures, 0) << "the workload never filled the heap; make it bigger";
    for (auto& [p, l] : live) {
        ASSERT_TRUE(payload_intact(p, l));
        ASSERT_TRUE(heap.free(p));
    }
    EXPECT_EQ(heap.block_count(), 1u);
    EXPECT_EQ(heap.free_bytes(), kSize - kHeader);
    EXPECT_TRUE(region.guards_intact());
}

}  // namespace
