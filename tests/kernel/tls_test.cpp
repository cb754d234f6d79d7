// kernel::tls::layout / init_block: x86-64 variant II TLS blocks (Drepper, "ELF Handling For
// Thread-Local Storage", 3.4.6).
//
// The offset between tp and the start of the TLS data is not a free choice: GNU ld bakes it
// into every local-exec access (`mov %fs:-8, %rax` for Go's runtime.tlsg).  For a static
// x86-64 Linux link, ld puts the segment start at tp - round_up(memsz, p_align).  Checked by
// assembling, linking (ld -static) and disassembling with GNU ld 2.40:
//   .tbss only, 8 bytes, .p2align 3                -> PT_TLS memsz 0x8, align 0x8; tlsg@tpoff = -0x8
//   .tdata 4 bytes + .tbss 8 bytes at .p2align 6   -> PT_TLS memsz 0x48, align 0x40;
//                                                     a (segment offset 0) @tpoff = -0x80,
//                                                     b (segment offset 0x40) @tpoff = -0x40
// So the distance is round_up(memsz, p_align) with the segment's real p_align, and raising the
// alignment (say to 16 for Go's memsz 8) would move Go's g from %fs:-8 to %fs:-16.
#include "tls.hpp"

#include <gtest/gtest.h>

#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <vector>

namespace {

using kernel::tls::init_block;
using kernel::tls::kTcbSize;
using kernel::tls::Layout;
using kernel::tls::layout;
using kernel::tls::Template;

constexpr unsigned char kCanary = 0xCC;
constexpr size_t kGuard = 128;

// What GNU ld assumes for a static x86-64 Linux link: the tp offset of the segment start.
constexpr size_t ld_segment_offset(size_t memsz, size_t p_align) {
    size_t a = p_align ? p_align : 1;
    return (memsz + a - 1) / a * a;
}

// Heap-like memory for one block: `size` bytes starting at a 16-byte aligned address that is
// deliberately NOT aligned to anything larger (+16 past a 4096-aligned address plus `skew`),
// with canaries on both sides.
class BlockMemory {
public:
    BlockMemory(size_t size, size_t skew) : size_(size) {
        storage_.assign(size + 2 * kGuard + 8192, kCanary);
        auto raw = reinterpret_cast<uintptr_t>(storage_.data());
        uintptr_t page = (raw + kGuard + 4095) & ~uintptr_t{4095};
        base_ = reinterpret_cast<unsigned char*>(page + 16 + skew);
    }
    unsigned char* base() const { return base_; }
    bool canaries_intact() const {
        for (const unsigned char* p = storage_.data(); p < base_; ++p)
            if (*p != kCanary) return false;
        for (const unsigned char* p = base_ + size_; p < storage_.data() + storage_.size(); ++p)
            if (*p != kCanary) return false;
        return true;
    }

private:
    std::vector<unsigned char> storage_;
    unsigned char* base_;
    size_t size_;
};

TEST(TlsLayout, GoRuntimeTlsgSitsAtFsMinus8LikeLdAssumes) {
    // A Go 1.19 c-archive: only runtime.tlsg, in .tbss, 8 bytes, p_align 8.
    Template go{nullptr, 0, 8, 8};
    Layout l = layout(go);
    EXPECT_EQ(l.offset, ld_segment_offset(8, 8));
    EXPECT_EQ(l.offset, 8u) << "tlsg must be at %fs:-8: that is the displacement in Go's code";
    EXPECT_EQ(l.align, 16u);
    EXPECT_EQ(l.block_size, 8u + kTcbSize);
    EXPECT_GE(l.alloc_size, l.block_size + l.align - 16);
}

TEST(TlsLayout, OffsetIsMemszRoundedToTheSegmentAlignment) {
    struct Case {
        size_t tdata, tbss, align, offset;
    } const cases[] = {
        {0, 0, 0, 0},       // no TLS at all
        {0, 0, 8, 0},
        {0, 8, 8, 8},       // Go
        {8, 0, 8, 8},
        {4, 0x44, 64, 0x80},  // the second ld example above
        {24, 0, 8, 24},
        {5, 3, 16, 16},
        {1, 0, 1, 1},
        {100, 28, 32, 128},
        {130, 0, 32, 160},
        {4, 4, 4, 8},
        {0, 1, 4096, 4096},
    };
    for (const Case& c : cases) {
        Layout l = layout(Template{nullptr, c.tdata, c.tbss, c.align});
        EXPECT_EQ(l.offset, c.offset) << "tdata " << c.tdata << " tbss " << c.tbss << " align " << c.align;
        EXPECT_EQ(l.offset, ld_segment_offset(c.tdata + c.tbss, c.align));
        EXPECT_EQ(l.align, c.align < 16 ? 16u : c.align) << "tp is at least 16-byte aligned";
        EXPECT_EQ(l.block_size, l.offset + kTcbSize);
        EXPECT_GE(l.alloc_size, l.block_size);
    }
}

TEST(TlsLayout, LdExampleVariablesLandWhereLdPutThem) {
    // .tdata a (4 bytes) at segment offset 0, .tbss b at segment offset 0x40; memsz 0x48.
    Layout l = layout(Template{nullptr, 4, 0x44, 64});
    EXPECT_EQ(-static_cast<long>(l.offset) + 0, -0x80);    // a@tpoff
    EXPECT_EQ(-static_cast<long>(l.offset) + 0x40, -0x40); // b@tpoff
}

// Builds a block for `t` in memory skewed by every multiple of 16 below its alignment and
// checks the result each time.
void check_init_block(const Template& t) {
    Layout l = layout(t);
    for (size_t skew = 0; skew < l.align; skew += 16) {
        SCOPED_TRACE(testing::Message() << "tdata " << t.tdata_size << " tbss " << t.tbss_size << " align "
                                        << t.align << " skew " << skew);
        BlockMemory mem(l.alloc_size, skew);
        // Garbage where the block will go, to see what init_block clears.
        memset(mem.base(), 0xEE, l.alloc_size);
        uint64_t tp = init_block(mem.base(), t, l);
        auto base = reinterpret_cast<uintptr_t>(mem.base());

        ASSERT_TRUE(mem.canaries_intact()) << "init_block wrote outside alloc_size bytes";
        EXPECT_EQ(tp % l.align, 0u) << "tp not aligned";
        // The whole block, data and TCB, lies inside the allocation.
        ASSERT_GE(tp - l.offset, base);
        ASSERT_LE(tp + kTcbSize, base + l.alloc_size);
        // %fs:0 holds tp.
        EXPECT_EQ(*reinterpret_cast<uint64_t*>(tp), tp);
        // The segment start honours p_align, so every variable keeps its alignment.
        if (t.align) {
            EXPECT_EQ((tp - l.offset) % t.align, 0u);
        }

        const auto* data = reinterpret_cast<const unsigned char*>(tp - l.offset);
        if (t.tdata_size) {
            EXPECT_EQ(memcmp(data, t.tdata, t.tdata_size), 0) << ".tdata not copied";
        }
        for (size_t i = t.tdata_size; i < l.offset; ++i)
            ASSERT_EQ(data[i], 0) << ".tbss / padding byte " << i << " not zeroed";
        // The rest of the TCB (including the stack-protector slot at %fs:0x28) is zero.
        const auto* tcb = reinterpret_cast<const unsigned char*>(tp);
        for (size_t i = 8; i < kTcbSize; ++i) ASSERT_EQ(tcb[i], 0) << "TCB byte " << i;
        EXPECT_EQ(*reinterpret_cast<const uint64_t*>(tp + 0x28), 0u);
    }
}

TEST(TlsInitBlock, GoBlockHasTlsgZeroedAtFsMinus8) {
    Template go{nullptr, 0, 8, 8};
    check_init_block(go);
    Layout l = layout(go);
    BlockMemory mem(l.alloc_size, 0);
    memset(mem.base(), 0xEE, l.alloc_size);
    uint64_t tp = init_block(mem.base(), go, l);
    // runtime.tlsg (segment offset 0) is read by Go as %fs:-8.
    EXPECT_EQ(*reinterpret_cast<const uint64_t*>(tp - 8), 0u);
    EXPECT_EQ(tp - l.offset, tp - 8);
}

TEST(TlsInitBlock, VariableAtSegmentOffsetZeroIsAtTpMinusOffset) {
    alignas(8) static const unsigned char tdata[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
    Template t{tdata, 8, 0, 8};
    check_init_block(t);
    Layout l = layout(t);
    BlockMemory mem(l.alloc_size, 0);
    uint64_t tp = init_block(mem.base(), t, l);
    uint64_t expected;
    memcpy(&expected, tdata, 8);
    EXPECT_EQ(*reinterpret_cast<const uint64_t*>(tp - 8), expected) << "%fs:-8";
}

TEST(TlsInitBlock, TdataCopiedAndTbssZeroed) {
    static const char tdata[] = "initial values!";  // 16 bytes with the NUL
    check_init_block(Template{tdata, sizeof tdata, 40, 16});
    check_init_block(Template{tdata, 5, 3, 16});
    check_init_block(Template{tdata, 3, 0, 1});
    check_init_block(Template{tdata, 13, 100, 8});
}

TEST(TlsInitBlock, EmptyTemplateStillGetsATcb) {
    Template none{nullptr, 0, 0, 0};
    check_init_block(none);
    Layout l = layout(none);
    EXPECT_EQ(l.offset, 0u);
}

TEST(TlsInitBlock, LargeAlignmentFromSixteenByteAlignedMemory) {
    alignas(64) static const unsigned char tdata[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    check_init_block(Template{tdata, 64, 64, 64});
    check_init_block(Template{tdata, 10, 0, 64});
    check_init_block(Template{tdata, 4, 0x44, 64});
    check_init_block(Template{tdata, 32, 200, 128});
    check_init_block(Template{nullptr, 0, 16, 4096});
}

TEST(TlsInitBlock, TwoBlocksFromOneTemplateAreIndependent) {
    static const unsigned char tdata[4] = {9, 8, 7, 6};
    Template t{tdata, 4, 12, 16};
    Layout l = layout(t);
    BlockMemory a(l.alloc_size, 0), b(l.alloc_size, 16);
    uint64_t tp_a = init_block(a.base(), t, l);
    uint64_t tp_b = init_block(b.base(), t, l);
    EXPECT_NE(tp_a, tp_b);
    reinterpret_cast<unsigned char*>(tp_a - l.offset)[0] = 42;  // a thread changes its copy
    EXPECT_EQ(reinterpret_cast<unsigned char*>(tp_b - l.offset)[0], 9);
    EXPECT_EQ(*reinterpret_cast<uint64_t*>(tp_a), tp_a);
    EXPECT_EQ(*reinterpret_cast<uint64_t*>(tp_b), tp_b);
}

}  // namespace
