// kernel::ksyms::lookup: which symbol contains an address.
#include "ksyms.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

using kernel::ksyms::Entry;
using kernel::ksyms::Match;
using kernel::ksyms::Table;

// Builds the entries and the string blob the way gen_ksyms.py lays them out.
struct TableBuilder {
    std::vector<Entry> entries;
    std::string names;

    TableBuilder& add(uint64_t address, uint32_t size, const std::string& name) {
        entries.push_back(Entry{address, size, static_cast<uint32_t>(names.size())});
        names += name;
        names.push_back('\0');
        return *this;
    }
    Table table() const { return Table{entries.data(), entries.size(), names.c_str()}; }
};

// "name+0xoff", or "-" when nothing covers the address: readable failure messages.
std::string Describe(const Table& t, uint64_t address) {
    Match m = kernel::ksyms::lookup(t, address);
    if (!m.name) {
        EXPECT_EQ(m.offset, 0u) << "offset of a miss";
        return "-";
    }
    char off[32];
    snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(m.offset));
    return std::string(m.name) + off;
}

// alpha [0x1000, 0x1100), beta from 0x1100 with unknown size, gamma [0x1200, 0x1210),
// gap, delta [0x2000, 0x2001), last at 0x3000 with unknown size.
TableBuilder Sample() {
    TableBuilder b;
    b.add(0x1000, 0x100, "alpha")
        .add(0x1100, 0, "beta")
        .add(0x1200, 0x10, "gamma")
        .add(0x2000, 1, "delta")
        .add(0x3000, 0, "last");
    return b;
}

TEST(Ksyms, EmptyTableFindsNothing) {
    Table empty{nullptr, 0, ""};
    EXPECT_EQ(Describe(empty, 0), "-");
    EXPECT_EQ(Describe(empty, 0x1000), "-");
    EXPECT_EQ(Describe(empty, UINT64_MAX), "-");
}

TEST(Ksyms, BeforeTheFirstSymbol) {
    TableBuilder b = Sample();
    EXPECT_EQ(Describe(b.table(), 0), "-");
    EXPECT_EQ(Describe(b.table(), 0xfff), "-");
}

TEST(Ksyms, ExactStartOfASymbol) {
    TableBuilder b = Sample();
    EXPECT_EQ(Describe(b.table(), 0x1000), "alpha+0x0");
    EXPECT_EQ(Describe(b.table(), 0x1100), "beta+0x0");
    EXPECT_EQ(Describe(b.table(), 0x1200), "gamma+0x0");
    EXPECT_EQ(Describe(b.table(), 0x2000), "delta+0x0");
    EXPECT_EQ(Describe(b.table(), 0x3000), "last+0x0");
}

TEST(Ksyms, InsideASizedSymbol) {
    TableBuilder b = Sample();
    EXPECT_EQ(Describe(b.table(), 0x1001), "alpha+0x1");
    EXPECT_EQ(Describe(b.table(), 0x1080), "alpha+0x80");
    EXPECT_EQ(Describe(b.table(), 0x10ff), "alpha+0xff");  // last byte
    EXPECT_EQ(Describe(b.table(), 0x120f), "gamma+0xf");
}

TEST(Ksyms, PastTheSizeOfASymbol) {
    TableBuilder b = Sample();
    EXPECT_EQ(Describe(b.table(), 0x1210), "-");  // first byte after gamma
    EXPECT_EQ(Describe(b.table(), 0x1fff), "-");  // end of the gap
    EXPECT_EQ(Describe(b.table(), 0x2001), "-");  // delta has size 1
    EXPECT_EQ(Describe(b.table(), 0x2fff), "-");
}

TEST(Ksyms, UnknownSizeReachesUpToTheNextSymbol) {
    TableBuilder b = Sample();
    EXPECT_EQ(Describe(b.table(), 0x1101), "beta+0x1");
    EXPECT_EQ(Describe(b.table(), 0x11ff), "beta+0xff");
    EXPECT_EQ(Describe(b.table(), 0x1200), "gamma+0x0");  // falls through to the next symbol
}

TEST(Ksyms, LastSymbolOfUnknownSizeHasNoUpperBound) {
    TableBuilder b = Sample();
    EXPECT_EQ(Describe(b.table(), 0x3010), "last+0x10");
    EXPECT_EQ(Describe(b.table(), 0x13000), "last+0x10000");
}

TEST(Ksyms, SingleEntryTable) {
    TableBuilder b;
    b.add(0x400, 0x20, "only");
    EXPECT_EQ(Describe(b.table(), 0x3ff), "-");
    EXPECT_EQ(Describe(b.table(), 0x400), "only+0x0");
    EXPECT_EQ(Describe(b.table(), 0x41f), "only+0x1f");
    EXPECT_EQ(Describe(b.table(), 0x420), "-");
}

TEST(Ksyms, SymbolAtAddressZeroAndAtTheTopOfTheAddressSpace) {
    TableBuilder b;
    b.add(0, 0x10, "zero").add(0xFFFFFFFFFFFFFFF0ull, 0x10, "top");
    EXPECT_EQ(Describe(b.table(), 0), "zero+0x0");
    EXPECT_EQ(Describe(b.table(), 0x10), "-");
    EXPECT_EQ(Describe(b.table(), 0xFFFFFFFFFFFFFFEFull), "-");
    EXPECT_EQ(Describe(b.table(), UINT64_MAX), "top+0xf");
}

TEST(Ksyms, MaximumSizeField) {
    TableBuilder b;
    b.add(0x100000000ull, 0xFFFFFFFFu, "huge");
    EXPECT_EQ(Describe(b.table(), 0x1FFFFFFFEull), "huge+0xfffffffe");
    EXPECT_EQ(Describe(b.table(), 0x1FFFFFFFFull), "-");
}

TEST(Ksyms, NamePointsIntoTheBlob) {
    TableBuilder b = Sample();
    Table t = b.table();
    Match m = kernel::ksyms::lookup(t, 0x1205);
    ASSERT_NE(m.name, nullptr);
    EXPECT_EQ(m.name, t.names + t.entries[2].name_offset);
    EXPECT_EQ(m.offset, 5u);
}

// Binary search against a linear reference over many entries, every address in range.
TEST(Ksyms, AgreesWithLinearScanOnALargeTable) {
    TableBuilder b;
    // Alternate sized and unsized symbols, with gaps of varying length.
    uint64_t addr = 0x10000;
    for (int i = 0; i < 500; ++i) {
        uint32_t size = i % 3 == 0 ? 0 : static_cast<uint32_t>(4 + i % 7);
        b.add(addr, size, "s" + std::to_string(i));
        addr += 8 + static_cast<uint64_t>(i % 11);
    }
    Table t = b.table();
    for (uint64_t a = 0xfff0; a < addr + 32; ++a) {
        const Entry* covering = nullptr;
        for (const Entry& e : b.entries) {
            if (e.address <= a) covering = &e;
        }
        std::string expect = "-";
        if (covering && (covering->size == 0 || a - covering->address < covering->size)) {
            char off[32];
            snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(a - covering->address));
            expect = std::string(t.names + covering->name_offset) + off;
        }
        ASSERT_EQ(Describe(t, a), expect) << "address 0x" << std::hex << a;
    }
}

}  // namespace
