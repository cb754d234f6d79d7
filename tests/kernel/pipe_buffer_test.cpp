// kernel::fd::PipeBuffer: the byte ring inside a pipe.
#include "fd/pipe_buffer.hpp"

#include <gtest/gtest.h>

#include <stddef.h>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using kernel::fd::PipeBuffer;

constexpr size_t kCap = PipeBuffer::kCapacity;

// n bytes of a pattern that differs from position to position (and is not all text).
std::string pattern(size_t n, unsigned seed = 0) {
    std::string s(n, '\0');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + seed * 7 + 1) & 0xff);
    return s;
}

class PipeBufferTest : public ::testing::Test {
protected:
    std::unique_ptr<PipeBuffer> owner = std::make_unique<PipeBuffer>();
    PipeBuffer& pipe = *owner;

    size_t write(const std::string& s) { return pipe.write(s.data(), s.size()); }
    // Reads up to n bytes and returns them.
    std::string read(size_t n) {
        std::string out(n, '\x55');
        size_t got = pipe.read(out.data(), n);
        EXPECT_LE(got, n);
        out.resize(got);
        return out;
    }
    void expect_levels(size_t used) {
        EXPECT_EQ(pipe.used(), used);
        EXPECT_EQ(pipe.space(), kCap - used);
    }
};

TEST_F(PipeBufferTest, CapacityIsAPage) { EXPECT_EQ(kCap, 4096u); }

TEST_F(PipeBufferTest, StartsEmpty) { expect_levels(0); }

TEST_F(PipeBufferTest, ReadingAnEmptyPipeReturnsZeroAndLeavesTheBufferAlone) {
    char out[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
    EXPECT_EQ(pipe.read(out, sizeof out), 0u);
    EXPECT_EQ(std::string(out, 8), "abcdefgh");
    expect_levels(0);
}

TEST_F(PipeBufferTest, ZeroLengthWriteAndRead) {
    EXPECT_EQ(pipe.write("x", 0), 0u);
    expect_levels(0);
    write("abc");
    char c = '?';
    EXPECT_EQ(pipe.read(&c, 0), 0u);
    EXPECT_EQ(c, '?');
    expect_levels(3);
}

TEST_F(PipeBufferTest, WriteThenReadEverything) {
    EXPECT_EQ(write("hello, pipe"), 11u);
    expect_levels(11);
    EXPECT_EQ(read(11), "hello, pipe");
    expect_levels(0);
}

TEST_F(PipeBufferTest, PartialReadsReturnTheBytesInOrder) {
    write("hello world");
    EXPECT_EQ(read(5), "hello");
    expect_levels(6);
    EXPECT_EQ(read(1), " ");
    EXPECT_EQ(read(100), "world") << "a read larger than the contents returns what there is";
    expect_levels(0);
    EXPECT_EQ(read(100), "");
}

TEST_F(PipeBufferTest, WritesAppendToWhatIsUnread) {
    write("abc");
    EXPECT_EQ(read(1), "a");
    write("def");
    expect_levels(5);
    EXPECT_EQ(read(5), "bcdef");
}

TEST_F(PipeBufferTest, BinaryBytesSurvive) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
    EXPECT_EQ(write(bytes), 256u);
    EXPECT_EQ(read(256), bytes);
}

TEST_F(PipeBufferTest, FillExactly) {
    std::string data = pattern(kCap);
    EXPECT_EQ(write(data), kCap);
    expect_levels(kCap);
    EXPECT_EQ(pipe.write("x", 1), 0u) << "a full pipe takes nothing";
    expect_levels(kCap);
    EXPECT_EQ(read(kCap), data);
    expect_levels(0);
}

TEST_F(PipeBufferTest, WriteLargerThanTheSpaceIsShort) {
    std::string data = pattern(kCap + 1000);
    EXPECT_EQ(write(data), kCap);
    expect_levels(kCap);
    EXPECT_EQ(read(kCap), data.substr(0, kCap)) << "the first kCapacity bytes are kept";
}

TEST_F(PipeBufferTest, WriteIntoAPartlyFullPipeTakesOnlyTheSpace) {
    write(pattern(4000, 1));
    std::string more = pattern(500, 2);
    EXPECT_EQ(write(more), 96u);
    expect_levels(kCap);
    EXPECT_EQ(read(4000), pattern(4000, 1));
    EXPECT_EQ(read(1000), more.substr(0, 96));
}

TEST_F(PipeBufferTest, ReadingFromAFullPipeMakesRoom) {
    write(pattern(kCap, 3));
    EXPECT_EQ(read(10), pattern(kCap, 3).substr(0, 10));
    expect_levels(kCap - 10);
    EXPECT_EQ(write(pattern(20, 4)), 10u);
    expect_levels(kCap);
}

TEST_F(PipeBufferTest, WriteWrapsAroundTheEndOfTheRing) {
    write(pattern(4000, 5));
    EXPECT_EQ(read(4000), pattern(4000, 5));
    expect_levels(0);
    // The next write starts at offset 4000 and runs past the end of the array.
    std::string data = pattern(300, 6);
    EXPECT_EQ(write(data), 300u);
    expect_levels(300);
    EXPECT_EQ(read(300), data);
}

TEST_F(PipeBufferTest, ReadsAcrossTheWrapInPieces) {
    write(pattern(kCap - 3, 7));
    read(kCap - 3);
    std::string data = "0123456789";
    write(data);  // 3 bytes at the end of the array, 7 at the start
    EXPECT_EQ(read(2), "01");
    EXPECT_EQ(read(2), "23");  // crosses the end of the array
    EXPECT_EQ(read(6), "456789");
    expect_levels(0);
}

TEST_F(PipeBufferTest, FullCapacityAfterWrapping) {
    write(pattern(1234, 8));
    read(1234);
    std::string data = pattern(kCap, 9);
    EXPECT_EQ(write(data), kCap) << "the whole capacity is usable wherever the ring starts";
    expect_levels(kCap);
    EXPECT_EQ(pipe.write("x", 1), 0u);
    EXPECT_EQ(read(kCap), data);
}

TEST_F(PipeBufferTest, ManyTripsAroundTheRing) {
    for (unsigned round = 0; round < 20; ++round) {
        std::string data = pattern(1500, round);
        ASSERT_EQ(write(data), 1500u) << "round " << round;
        ASSERT_EQ(read(1500), data) << "round " << round;
    }
    expect_levels(0);
}

// A stream of random writes and reads against a std::deque model.
TEST(PipeBuffer, RandomStreamMatchesADeque) {
    auto pipe = std::make_unique<PipeBuffer>();
    std::deque<char> model;
    std::mt19937 rng(2024);
    unsigned char next = 0;
    for (int step = 0; step < 3000; ++step) {
        size_t n = rng() % 1500;
        if (rng() % 2) {
            std::vector<char> data(n);
            for (auto& c : data) c = static_cast<char>(next++);
            size_t expected = std::min(n, kCap - model.size());
            ASSERT_EQ(pipe->write(data.data(), n), expected) << "step " << step;
            model.insert(model.end(), data.begin(), data.begin() + static_cast<long>(expected));
            next = static_cast<unsigned char>(next - (n - expected));  // the rest was not taken
        } else {
            std::vector<char> out(n + 1, '\x7f');
            size_t expected = std::min(n, model.size());
            ASSERT_EQ(pipe->read(out.data(), n), expected) << "step " << step;
            for (size_t i = 0; i < expected; ++i) {
                ASSERT_EQ(out[i], model.front()) << "step " << step << " byte " << i;
                model.pop_front();
            }
            for (size_t i = expected; i <= n; ++i)
                ASSERT_EQ(out[i], '\x7f') << "read wrote past what it returned, byte " << i;
        }
        ASSERT_EQ(pipe->used(), model.size());
        ASSERT_EQ(pipe->space(), kCap - model.size());
    }
}

}  // namespace
