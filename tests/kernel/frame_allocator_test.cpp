// kernel::memory::FrameAllocator: one bit per pseudo-physical frame, lowest free frame first.
#include "memory/frame_allocator.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <random>
#include <set>
#include <vector>

namespace {

using kernel::Pfn;
using kernel::memory::FrameAllocator;

class FrameAllocatorTest : public ::testing::Test {
protected:
    // Sized for `frames`, with one extra word past the end to catch writes beyond the bitmap.
    void init(size_t frames) {
        words_ = (frames + 63) / 64;
        bitmap_.assign(words_ + 1, ~uint64_t{0});  // garbage: init must clear it
        fa.init(bitmap_.data(), frames);
    }
    bool past_end_untouched() const { return bitmap_[words_] == ~uint64_t{0}; }
    uint64_t take() {
        Pfn p{0xdead};
        EXPECT_TRUE(fa.allocate(&p));
        return p.value;
    }
    void TearDown() override {
        if (!bitmap_.empty()) {
            EXPECT_TRUE(past_end_untouched()) << "wrote past the bitmap";
        }
    }

    FrameAllocator fa;
    std::vector<uint64_t> bitmap_;
    size_t words_ = 0;
};

TEST_F(FrameAllocatorTest, InitMarksEveryFrameUsed) {
    init(200);
    EXPECT_EQ(fa.max_frames(), 200u);
    EXPECT_EQ(fa.free_count(), 0u);
    for (uint64_t f = 0; f < 200; ++f) EXPECT_FALSE(fa.is_free(Pfn{f})) << f;
    Pfn p{77};
    EXPECT_FALSE(fa.allocate(&p));
    EXPECT_EQ(p.value, 77u) << "a failed allocate must not write *out";
}

TEST_F(FrameAllocatorTest, AddFreeMarksTheRange) {
    init(256);
    fa.add_free(Pfn{10}, 5);
    EXPECT_EQ(fa.free_count(), 5u);
    EXPECT_FALSE(fa.is_free(Pfn{9}));
    for (uint64_t f = 10; f < 15; ++f) EXPECT_TRUE(fa.is_free(Pfn{f})) << f;
    EXPECT_FALSE(fa.is_free(Pfn{15}));
}

TEST_F(FrameAllocatorTest, AddFreeCountsOverlapsOnce) {
    init(256);
    fa.add_free(Pfn{0}, 10);
    fa.add_free(Pfn{5}, 10);  // 5..9 already free
    EXPECT_EQ(fa.free_count(), 15u);
    fa.add_free(Pfn{0}, 15);
    EXPECT_EQ(fa.free_count(), 15u);
    fa.add_free(Pfn{3}, 0);
    EXPECT_EQ(fa.free_count(), 15u);
}

TEST_F(FrameAllocatorTest, AddFreeIsClippedToMaxFrames) {
    init(100);  // not a multiple of 64: the last word is partly unused
    fa.add_free(Pfn{90}, 1000);
    EXPECT_EQ(fa.free_count(), 10u);
    EXPECT_TRUE(fa.is_free(Pfn{99}));
    EXPECT_FALSE(fa.is_free(Pfn{100}));
    fa.add_free(Pfn{150}, 10);  // wholly outside
    EXPECT_EQ(fa.free_count(), 10u);
}

TEST_F(FrameAllocatorTest, AllocatesLowestFirst) {
    init(300);
    fa.add_free(Pfn{200}, 3);
    fa.add_free(Pfn{70}, 2);
    fa.add_free(Pfn{5}, 1);
    std::vector<uint64_t> got;
    for (int i = 0; i < 6; ++i) got.push_back(take());
    EXPECT_EQ(got, (std::vector<uint64_t>{5, 70, 71, 200, 201, 202}));
    EXPECT_EQ(fa.free_count(), 0u);
    for (uint64_t f : got) EXPECT_FALSE(fa.is_free(Pfn{f}));
}

TEST_F(FrameAllocatorTest, ExhaustionReturnsFalse) {
    init(100);
    fa.add_free(Pfn{0}, 100);
    for (uint64_t f = 0; f < 100; ++f) ASSERT_EQ(take(), f);
    Pfn p{1234};
    EXPECT_FALSE(fa.allocate(&p));
    EXPECT_EQ(p.value, 1234u);
    EXPECT_EQ(fa.free_count(), 0u);
    EXPECT_FALSE(fa.allocate(&p)) << "still nothing on a second try";
}

TEST_F(FrameAllocatorTest, FreeMakesAFrameAvailableAgain) {
    init(128);
    fa.add_free(Pfn{0}, 128);
    for (int i = 0; i < 10; ++i) take();
    EXPECT_EQ(fa.free_count(), 118u);
    EXPECT_TRUE(fa.free(Pfn{4}));
    EXPECT_TRUE(fa.is_free(Pfn{4}));
    EXPECT_EQ(fa.free_count(), 119u);
    EXPECT_EQ(take(), 4u) << "the freed frame is the lowest free one";
    EXPECT_EQ(take(), 10u);
}

TEST_F(FrameAllocatorTest, FreedLowerFrameIsReusedAfterTheSearchMovedOn) {
    init(256);
    fa.add_free(Pfn{0}, 256);
    for (uint64_t f = 0; f < 200; ++f) ASSERT_EQ(take(), f);  // the search is now in word 3
    EXPECT_TRUE(fa.free(Pfn{150}));
    EXPECT_TRUE(fa.free(Pfn{10}));
    EXPECT_EQ(take(), 10u);
    EXPECT_EQ(take(), 150u);
    EXPECT_EQ(take(), 200u);
}

TEST_F(FrameAllocatorTest, FreeAfterExhaustionIsFound) {
    init(130);
    fa.add_free(Pfn{0}, 130);
    for (uint64_t f = 0; f < 130; ++f) ASSERT_EQ(take(), f);
    Pfn p{0};
    EXPECT_FALSE(fa.allocate(&p));
    EXPECT_TRUE(fa.free(Pfn{3}));
    EXPECT_EQ(take(), 3u);
    fa.add_free(Pfn{64}, 1);
    EXPECT_EQ(take(), 64u);
}

TEST_F(FrameAllocatorTest, DoubleFreeIsRejected) {
    init(64);
    fa.add_free(Pfn{0}, 64);
    uint64_t f = take();
    EXPECT_TRUE(fa.free(Pfn{f}));
    size_t count = fa.free_count();
    EXPECT_FALSE(fa.free(Pfn{f}));
    EXPECT_EQ(fa.free_count(), count);
    EXPECT_FALSE(fa.free(Pfn{40}));  // free since add_free, never allocated
    EXPECT_EQ(fa.free_count(), count);
}

TEST_F(FrameAllocatorTest, OutOfRangeFramesAreRejected) {
    init(100);
    EXPECT_FALSE(fa.free(Pfn{100}));
    EXPECT_FALSE(fa.free(Pfn{127}));  // inside the last bitmap word, past max_frames
    EXPECT_FALSE(fa.free(Pfn{1u << 20}));
    EXPECT_FALSE(fa.free(Pfn{UINT64_MAX}));
    EXPECT_FALSE(fa.is_free(Pfn{100}));
    EXPECT_FALSE(fa.is_free(Pfn{UINT64_MAX}));
    EXPECT_EQ(fa.free_count(), 0u);
    Pfn p{0};
    EXPECT_FALSE(fa.allocate(&p)) << "a rejected free must not have made a frame available";
}

TEST_F(FrameAllocatorTest, UsedFramesBelowTheFreeRangeAreNeverHandedOut) {
    // Like boot: frames 0..first_free-1 hold the image and Xen's data.
    init(1024);
    fa.add_free(Pfn{37}, 1024 - 37);
    EXPECT_EQ(fa.free_count(), 1024u - 37);
    std::set<uint64_t> seen;
    Pfn p{0};
    while (fa.allocate(&p)) {
        ASSERT_GE(p.value, 37u);
        ASSERT_LT(p.value, 1024u);
        ASSERT_TRUE(seen.insert(p.value).second) << "frame " << p.value << " handed out twice";
    }
    EXPECT_EQ(seen.size(), 1024u - 37);
}

TEST_F(FrameAllocatorTest, RandomAllocateFreeMatchesASet) {
    constexpr size_t kFrames = 500;
    init(kFrames);
    fa.add_free(Pfn{0}, kFrames);
    std::set<uint64_t> free;
    for (uint64_t f = 0; f < kFrames; ++f) free.insert(f);
    std::vector<uint64_t> used;
    std::mt19937 rng(99);
    for (int step = 0; step < 20000; ++step) {
        if (used.empty() || (rng() % 2 && !free.empty())) {
            Pfn p{0};
            ASSERT_TRUE(fa.allocate(&p));
            ASSERT_EQ(p.value, *free.begin()) << "not the lowest free frame at step " << step;
            free.erase(free.begin());
            used.push_back(p.value);
        } else {
            size_t i = rng() % used.size();
            ASSERT_TRUE(fa.free(Pfn{used[i]}));
            free.insert(used[i]);
            used[i] = used.back();
            used.pop_back();
        }
        ASSERT_EQ(fa.free_count(), free.size());
    }
}

TEST_F(FrameAllocatorTest, AllocateRunTakesTheLowestRunOfContiguousFreeFrames) {
    // memory::init takes the kernel heap this way: one run of frames, one run of addresses.
    init(256);
    fa.add_free(Pfn{10}, 5);    // 10..14: too short for 8
    fa.add_free(Pfn{20}, 3);    // 20..22
    fa.add_free(Pfn{60}, 100);  // 60..159, across word boundaries
    Pfn first{0};
    ASSERT_TRUE(fa.allocate_run(8, &first));
    EXPECT_EQ(first.value, 60u);
    for (uint64_t f = 60; f < 68; ++f) EXPECT_FALSE(fa.is_free(Pfn{f})) << f;
    EXPECT_TRUE(fa.is_free(Pfn{68}));
    EXPECT_TRUE(fa.is_free(Pfn{10})) << "the shorter runs are left alone";
    EXPECT_EQ(fa.free_count(), 5u + 3u + 92u);
    ASSERT_TRUE(fa.allocate_run(5, &first));
    EXPECT_EQ(first.value, 10u) << "a run that fits exactly";
    EXPECT_EQ(take(), 20u) << "single frames still come lowest first";
}

TEST_F(FrameAllocatorTest, AllocateRunFailsWithoutChangingAnything) {
    init(128);
    fa.add_free(Pfn{0}, 10);
    fa.add_free(Pfn{11}, 10);
    Pfn first{0xdead};
    EXPECT_FALSE(fa.allocate_run(11, &first));
    EXPECT_FALSE(fa.allocate_run(0, &first));
    EXPECT_FALSE(fa.allocate_run(1000, &first));
    EXPECT_EQ(first.value, 0xdeadu);
    EXPECT_EQ(fa.free_count(), 20u);
    ASSERT_TRUE(fa.allocate_run(10, &first));
    EXPECT_EQ(first.value, 0u);
}

}  // namespace
