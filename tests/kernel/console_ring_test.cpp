// kernel::ring: index arithmetic of Xen's console ring, free-running uint32 counters.
#include "console_ring.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <array>
#include <string>

namespace {

using kernel::ring::Index;

constexpr size_t kSize = 8;
constexpr char kCanary = '#';

// A ring of kSize bytes with a canary byte on either side, to catch writes outside it.
struct GuardedRing {
    std::array<char, kSize + 2> storage;
    GuardedRing() { storage.fill(kCanary); }
    char* ring() { return storage.data() + 1; }
    bool guards_intact() const { return storage.front() == kCanary && storage.back() == kCanary; }
};

TEST(ConsoleRing, UsedIsProducerMinusConsumer) {
    EXPECT_EQ(kernel::ring::used(0, 0), 0u);
    EXPECT_EQ(kernel::ring::used(10, 3), 7u);
    EXPECT_EQ(kernel::ring::used(1024, 0), 1024u);
}

TEST(ConsoleRing, UsedAcrossTheWrapOfTheIndices) {
    // prod has wrapped past 2^32, cons has not yet.
    EXPECT_EQ(kernel::ring::used(5, 0xFFFFFFFDu), 8u);
    EXPECT_EQ(kernel::ring::used(0, 0xFFFFFFFFu), 1u);
    EXPECT_EQ(kernel::ring::used(0xFFFFFFFFu, 0xFFFFFFFFu), 0u);
    EXPECT_EQ(kernel::ring::used(0x10u, 0xFFFFFFF0u), 0x20u);
}

TEST(ConsoleRing, FreeSpace) {
    EXPECT_EQ(kernel::ring::free_space(0, 0, 16), 16u);
    EXPECT_EQ(kernel::ring::free_space(5, 0, 16), 11u);
    EXPECT_EQ(kernel::ring::free_space(16, 0, 16), 0u);              // full
    EXPECT_EQ(kernel::ring::free_space(2, 0xFFFFFFFEu, 16), 12u);    // across the wrap
    EXPECT_EQ(kernel::ring::free_space(14, 0xFFFFFFFEu, 16), 0u);    // full across the wrap
    EXPECT_EQ(kernel::ring::free_space(1000, 0, 1024), 24u);
}

TEST(ConsoleRing, FreeSpaceIsZeroWhenIndicesAreInconsistent) {
    // A producer more than a ring ahead (a corrupt or hostile ring) must not yield free space.
    EXPECT_EQ(kernel::ring::free_space(100, 0, 16), 0u);
    EXPECT_EQ(kernel::ring::free_space(0, 1, 16), 0u);  // used() == 0xFFFFFFFF
}

TEST(ConsoleRing, SlotMasksTheIndex) {
    EXPECT_EQ(kernel::ring::slot(0, 16), 0u);
    EXPECT_EQ(kernel::ring::slot(15, 16), 15u);
    EXPECT_EQ(kernel::ring::slot(16, 16), 0u);
    EXPECT_EQ(kernel::ring::slot(0x12345u, 16), 5u);
    EXPECT_EQ(kernel::ring::slot(0xFFFFFFFFu, 1024), 1023u);
    EXPECT_EQ(kernel::ring::slot(0xFFFFFFFFu, 2048), 2047u);  // XENCONS out ring size
    EXPECT_EQ(kernel::ring::slot(0x80000400u, 1024), 0u);
}

TEST(ConsoleRing, FunctionsAreUsableAtCompileTime) {
    static_assert(kernel::ring::used(3, 0xFFFFFFFFu) == 4);
    static_assert(kernel::ring::free_space(3, 0xFFFFFFFFu, 8) == 4);
    static_assert(kernel::ring::slot(0xFFFFFFFFu, 8) == 7);
    SUCCEED();
}

TEST(ConsoleRing, WriteThenReadRoundTrip) {
    GuardedRing g;
    Index prod = 0, cons = 0;
    EXPECT_EQ(kernel::ring::write(g.ring(), kSize, prod, cons, "hello", 5), 5u);
    EXPECT_EQ(prod, 5u);
    EXPECT_EQ(std::string(g.ring(), 5), "hello");

    char out[kSize] = {};
    EXPECT_EQ(kernel::ring::read(g.ring(), kSize, prod, cons, out, sizeof out), 5u);
    EXPECT_EQ(cons, 5u);
    EXPECT_EQ(std::string(out, 5), "hello");
    EXPECT_TRUE(g.guards_intact());
}

TEST(ConsoleRing, WriteFillsRingCompletely) {
    GuardedRing g;
    Index prod = 0, cons = 0;
    EXPECT_EQ(kernel::ring::write(g.ring(), kSize, prod, cons, "abcdefgh", 8), 8u);
    EXPECT_EQ(prod, 8u);
    EXPECT_EQ(kernel::ring::free_space(prod, cons, kSize), 0u);
    EXPECT_EQ(std::string(g.ring(), kSize), "abcdefgh");
    EXPECT_TRUE(g.guards_intact());
}

TEST(ConsoleRing, WriteToFullRingWritesNothing) {
    GuardedRing g;
    Index prod = 8, cons = 0;
    EXPECT_EQ(kernel::ring::write(g.ring(), kSize, prod, cons, "x", 1), 0u);
    EXPECT_EQ(prod, 8u);
    for (size_t i = 0; i < kSize; ++i) EXPECT_EQ(g.ring()[i], kCanary);
    EXPECT_TRUE(g.guards_intact());
}

TEST(ConsoleRing, PartialWriteWhenRoomRunsOut) {
    GuardedRing g;
    Index prod = 6, cons = 0;  // 6 of 8 used
    EXPECT_EQ(kernel::ring::write(g.ring(), kSize, prod, cons, "vwxyz", 5), 2u);
    EXPECT_EQ(prod, 8u);
    EXPECT_EQ(g.ring()[6], 'v');
    EXPECT_EQ(g.ring()[7], 'w');
    EXPECT_EQ(g.ring()[0], kCanary);  // nothing wrapped over unread data
    EXPECT_TRUE(g.guards_intact());
}

TEST(ConsoleRing, ZeroLengthWriteAndRead) {
    GuardedRing g;
    Index prod = 3, cons = 1;
    EXPECT_EQ(kernel::ring::write(g.ring(), kSize, prod, cons, "abc", 0), 0u);
    EXPECT_EQ(prod, 3u);
    char out[1] = {'Z'};
    EXPECT_EQ(kernel::ring::read(g.ring(), kSize, prod, cons, out, 0), 0u);
    EXPECT_EQ(cons, 1u);
    EXPECT_EQ(out[0], 'Z');
}

TEST(ConsoleRing, ReadFromEmptyRing) {
    GuardedRing g;
    Index prod = 0xFFFFFFFFu, cons = 0xFFFFFFFFu;
    char out[4] = {'a', 'b', 'c', 'd'};
    EXPECT_EQ(kernel::ring::read(g.ring(), kSize, prod, cons, out, sizeof out), 0u);
    EXPECT_EQ(cons, 0xFFFFFFFFu);
    EXPECT_EQ(out[0], 'a');
}

TEST(ConsoleRing, PartialRead) {
    GuardedRing g;
    Index prod = 0, cons = 0;
    kernel::ring::write(g.ring(), kSize, prod, cons, "abcdef", 6);
    char out[3];
    EXPECT_EQ(kernel::ring::read(g.ring(), kSize, prod, cons, out, 3), 3u);
    EXPECT_EQ(std::string(out, 3), "abc");
    EXPECT_EQ(cons, 3u);
    EXPECT_EQ(kernel::ring::read(g.ring(), kSize, prod, cons, out, 3), 3u);
    EXPECT_EQ(std::string(out, 3), "def");
    EXPECT_EQ(kernel::ring::read(g.ring(), kSize, prod, cons, out, 3), 0u);
    EXPECT_EQ(cons, prod);
}

TEST(ConsoleRing, WriteWrapsTheSlotsAndTheIndex) {
    GuardedRing g;
    Index prod = 0xFFFFFFFCu, cons = 0xFFFFFFFCu;  // slot 4, four steps before 2^32
    EXPECT_EQ(kernel::ring::write(g.ring(), kSize, prod, cons, "abcdefgh", 8), 8u);
    EXPECT_EQ(prod, 4u);  // wrapped past 2^32
    EXPECT_EQ(kernel::ring::used(prod, cons), 8u);
    EXPECT_EQ(kernel::ring::free_space(prod, cons, kSize), 0u);
    // 'a' went to slot 4; 'e' wrapped to slot 0.
    EXPECT_EQ(std::string(g.ring(), kSize), "efghabcd");
    EXPECT_TRUE(g.guards_intact());

    char out[kSize];
    EXPECT_EQ(kernel::ring::read(g.ring(), kSize, prod, cons, out, kSize), 8u);
    EXPECT_EQ(cons, 4u);
    EXPECT_EQ(std::string(out, kSize), "abcdefgh");
}

TEST(ConsoleRing, PartialWriteAcrossTheIndexWrap) {
    GuardedRing g;
    Index prod = 2, cons = 0xFFFFFFFEu;  // 4 used, 4 free, prod already wrapped
    EXPECT_EQ(kernel::ring::write(g.ring(), kSize, prod, cons, "0123456789", 10), 4u);
    EXPECT_EQ(prod, 6u);
    EXPECT_EQ(g.ring()[2], '0');
    EXPECT_EQ(g.ring()[5], '3');
    EXPECT_TRUE(g.guards_intact());
}

TEST(ConsoleRing, StreamingThroughTheWrapPreservesOrder) {
    // Many small writes and reads of varying sizes, starting just below 2^32, so the indices
    // wrap while data is in flight.  Everything read must equal everything written, in order.
    GuardedRing g;
    Index prod = 0xFFFFFFF0u, cons = 0xFFFFFFF0u;
    std::string source;
    for (int i = 0; i < 200; ++i) source += static_cast<char>('A' + i % 26);
    size_t written = 0;
    std::string received;
    unsigned step = 0;
    while (received.size() < source.size()) {
        size_t want_w = 1 + (step * 7) % 5;
        size_t avail = source.size() - written;
        size_t w = kernel::ring::write(g.ring(), kSize, prod, cons, source.data() + written,
                                       want_w < avail ? want_w : avail);
        written += w;
        ASSERT_LE(kernel::ring::used(prod, cons), kSize);
        char out[kSize];
        size_t r = kernel::ring::read(g.ring(), kSize, prod, cons, out, 1 + (step * 3) % 4);
        received.append(out, r);
        ASSERT_LT(++step, 10000u) << "no progress";
    }
    EXPECT_EQ(received, source);
    EXPECT_EQ(prod, static_cast<Index>(0xFFFFFFF0u + source.size()));
    EXPECT_EQ(cons, prod);
    EXPECT_TRUE(g.guards_intact());
}

TEST(ConsoleRing, LargerPowerOfTwoRing) {
    std::array<char, 1024> ring{};
    Index prod = 0xFFFFFF00u, cons = 0xFFFFFF00u;
    std::string msg(1000, '\0');
    for (size_t i = 0; i < msg.size(); ++i) msg[i] = static_cast<char>(i * 31 + 7);
    EXPECT_EQ(kernel::ring::write(ring.data(), ring.size(), prod, cons, msg.data(), msg.size()), 1000u);
    EXPECT_EQ(kernel::ring::free_space(prod, cons, ring.size()), 24u);
    EXPECT_EQ(kernel::ring::write(ring.data(), ring.size(), prod, cons, msg.data(), msg.size()), 24u);
    std::string out(1024, '\0');
    EXPECT_EQ(kernel::ring::read(ring.data(), ring.size(), prod, cons, out.data(), out.size()), 1024u);
    EXPECT_EQ(out.substr(0, 1000), msg);
    EXPECT_EQ(out.substr(1000), msg.substr(0, 24));
}

}  // namespace
