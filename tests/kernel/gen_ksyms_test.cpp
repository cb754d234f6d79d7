// End to end: tools/gen_ksyms.py turns fixtures/ksyms.nm (a fake `nm -n --print-size
// --defined-only` listing) into an assembly table at build time; the table is assembled into
// this executable and read here through kernel::ksyms::lookup, exactly as the kernel reads the
// table its second link embeds.
#include "ksyms.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>

// Emitted by gen_ksyms.py (the same declarations as the stage's ksyms_table.cpp).
extern "C" const kernel::ksyms::Entry ksyms_entries[];
extern "C" const uint64_t ksyms_count;
extern "C" const char ksyms_names[];

namespace {

using kernel::ksyms::Entry;
using kernel::ksyms::Match;
using kernel::ksyms::Table;

// The generator lays an entry out as .quad address; .long size, name_offset.
static_assert(sizeof(Entry) == 16);
static_assert(offsetof(Entry, address) == 0 && offsetof(Entry, size) == 8 && offsetof(Entry, name_offset) == 12);

Table Generated() { return Table{ksyms_entries, static_cast<size_t>(ksyms_count), ksyms_names}; }

std::string Describe(uint64_t address) {
    Match m = kernel::ksyms::lookup(Generated(), address);
    if (!m.name) return "-";
    char off[32];
    snprintf(off, sizeof off, "+0x%llx", static_cast<unsigned long long>(m.offset));
    return std::string(m.name) + off;
}

const char* const kQuoted = "quote\"and\\backslash";
const char* const kGoSpaced = "type..eq.struct { runtime.gList; runtime.n int32 }";

// Code symbols of the fixture, as the table must hold them: address -> (size, name).
const std::map<uint64_t, std::pair<uint32_t, std::string>> kExpected = {
    {0x1000, {0, "_start"}},
    {0x2000, {0, "hypercall_page"}},
    {0x3000, {0x32, "main"}},
    {0x3040, {0x1c, "_ZN6kernel12_GLOBAL__N_19to_digitsEmjbPc"}},
    {0x3060, {0x100, "_ZN6kernel4ring5writeEPcmRjjPKcm"}},
    {0x3160, {0, "weak_without_size"}},
    {0x4000, {0x40, "runtime.cgocallback"}},
    {0x4040, {0x20, kQuoted}},
    {0x4080, {0x10, "listed_out_of_order"}},
    {0x4100, {0x10, "after_escapes"}},
    {0x4200, {0x15, kGoSpaced}},
    {0x100000000ull, {0xffffffffu, "huge"}},  // nm size 0x200000000, clamped to 32 bits
};

TEST(GenKsyms, TableIsAlignedAndSortedWithDistinctAddresses) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(ksyms_entries) % 8, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(&ksyms_count) % 8, 0u);
    ASSERT_GT(ksyms_count, 0u);
    for (uint64_t i = 1; i < ksyms_count; ++i) {
        EXPECT_LT(ksyms_entries[i - 1].address, ksyms_entries[i].address) << "entry " << i;
    }
}

TEST(GenKsyms, NameOffsetsPointAtConsecutiveNames) {
    // Offsets count bytes of the unescaped names: each name starts right after the previous NUL.
    uint32_t expect_offset = 0;
    for (uint64_t i = 0; i < ksyms_count; ++i) {
        const Entry& e = ksyms_entries[i];
        EXPECT_EQ(e.name_offset, expect_offset) << "entry " << i;
        expect_offset = e.name_offset + static_cast<uint32_t>(strlen(ksyms_names + e.name_offset)) + 1;
    }
    EXPECT_EQ(ksyms_names[expect_offset], '\0') << "the blob ends with an extra NUL";
}

TEST(GenKsyms, KeepsExactlyTheCodeSymbols) {
    std::set<uint64_t> seen;
    for (uint64_t i = 0; i < ksyms_count; ++i) {
        const Entry& e = ksyms_entries[i];
        std::string name = ksyms_names + e.name_offset;
        auto it = kExpected.find(e.address);
        ASSERT_NE(it, kExpected.end()) << "unexpected symbol " << name << " at 0x" << std::hex << e.address;
        EXPECT_EQ(name, it->second.second);
        EXPECT_EQ(e.size, it->second.first) << name;
        seen.insert(e.address);
    }
    EXPECT_EQ(seen.size(), kExpected.size()) << "symbols missing from the table";
}

TEST(GenKsyms, DropsNonCodeAndLocalLabels) {
    for (uint64_t i = 0; i < ksyms_count; ++i) {
        std::string name = ksyms_names + ksyms_entries[i].name_offset;
        for (const char* dropped : {"_image_start", "_tdata_size", "runtime.tlsg", "some_data", "some_bss",
                                    "local_rodata", ".Lhypercall_loop"}) {
            EXPECT_NE(name, dropped);
        }
    }
    EXPECT_EQ(Describe(0), "-");
    EXPECT_EQ(Describe(0xfff), "-");
    EXPECT_EQ(Describe(0x1010), "_start+0x10");  // .L label is not a symbol of its own
}

TEST(GenKsyms, FirstNameAtAnAddressWins) {
    EXPECT_EQ(Describe(0x1000), "_start+0x0");  // not _text
    EXPECT_EQ(Describe(0x3060), "_ZN6kernel4ring5writeEPcmRjjPKcm+0x0");  // not shadowed_alias
    EXPECT_EQ(Describe(0x3068), "_ZN6kernel4ring5writeEPcmRjjPKcm+0x8");  // its size, not the alias's
}

TEST(GenKsyms, SymbolsWithoutSizeReachTheNextCodeSymbol) {
    EXPECT_EQ(Describe(0x1fff), "_start+0xfff");
    EXPECT_EQ(Describe(0x2000), "hypercall_page+0x0");
    EXPECT_EQ(Describe(0x2fff), "hypercall_page+0xfff");
    EXPECT_EQ(Describe(0x3000), "main+0x0");
    // Data symbols do not bound a code symbol of unknown size.
    EXPECT_EQ(Describe(0x3200), "weak_without_size+0xa0");
    EXPECT_EQ(Describe(0x3fff), "weak_without_size+0xe9f");
}

TEST(GenKsyms, SizesFromNmAreHexadecimal) {
    EXPECT_EQ(Describe(0x3031), "main+0x31");
    EXPECT_EQ(Describe(0x3032), "-");  // size 0x32, not 32
    EXPECT_EQ(Describe(0x305b), "_ZN6kernel12_GLOBAL__N_19to_digitsEmjbPc+0x1b");
    EXPECT_EQ(Describe(0x305c), "-");
    EXPECT_EQ(Describe(0x315f), "_ZN6kernel4ring5writeEPcmRjjPKcm+0xff");
    EXPECT_EQ(Describe(0x403f), "runtime.cgocallback+0x3f");
}

TEST(GenKsyms, EscapedNameSurvivesAssembly) {
    EXPECT_EQ(Describe(0x4040), std::string(kQuoted) + "+0x0");
    EXPECT_EQ(Describe(0x405f), std::string(kQuoted) + "+0x1f");
    EXPECT_EQ(Describe(0x4060), "-");
    // The names after the escaped one still line up.
    EXPECT_EQ(Describe(0x4100), "after_escapes+0x0");
}

TEST(GenKsyms, OutOfOrderListingIsSorted) {
    EXPECT_EQ(Describe(0x4080), "listed_out_of_order+0x0");
    EXPECT_EQ(Describe(0x408f), "listed_out_of_order+0xf");
    EXPECT_EQ(Describe(0x4090), "-");
    EXPECT_EQ(Describe(0x410f), "after_escapes+0xf");
    EXPECT_EQ(Describe(0x4110), "-");
}

TEST(GenKsyms, OversizedSymbolIsClampedTo32Bits) {
    EXPECT_EQ(Describe(0xffffffffull), "-");
    EXPECT_EQ(Describe(0x100000000ull), "huge+0x0");
    EXPECT_EQ(Describe(0x1fffffffeull), "huge+0xfffffffe");
    EXPECT_EQ(Describe(0x1ffffffffull), "-");
}

// Go emits code symbols whose names contain spaces (the real 01-link kernel has
// "type..eq.struct { runtime.gList; runtime.n int32 }", type t, size 0x15); a fault inside one
// must still be reported by name.
TEST(GenKsyms, KeepsNamesWithSpaces) {
    EXPECT_EQ(Describe(0x4200), std::string(kGoSpaced) + "+0x0");
    EXPECT_EQ(Describe(0x4214), std::string(kGoSpaced) + "+0x14");
}

}  // namespace
