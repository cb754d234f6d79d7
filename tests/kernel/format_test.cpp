// kernel::vformat / format / snformat: the kernel's printf subset.
#include "format.hpp"

#include <gtest/gtest.h>

#include <stdarg.h>
#include <stdint.h>

#include <climits>
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Capture {
    std::string text;
    std::vector<std::string> pieces;
};

void capture_sink(void* ctx, const char* text, size_t length) {
    auto* c = static_cast<Capture*>(ctx);
    c->text.append(text, length);
    c->pieces.emplace_back(text, length);
}

// Formats through vformat and checks that the returned count matches what reached the sink.
// Deliberately not declared printf-like: several tests pass conversions gcc does not know.
Capture run(const char* fmt, ...) {
    Capture c;
    va_list args;
    va_start(args, fmt);
    size_t n = kernel::vformat(capture_sink, &c, fmt, args);
    va_end(args);
    EXPECT_EQ(n, c.text.size()) << "return value of vformat for \"" << fmt << "\"";
    return c;
}

std::string F(const char* fmt, ...) {
    Capture c;
    va_list args;
    va_start(args, fmt);
    size_t n = kernel::vformat(capture_sink, &c, fmt, args);
    va_end(args);
    EXPECT_EQ(n, c.text.size()) << "return value of vformat for \"" << fmt << "\"";
    return c.text;
}

TEST(Format, PlainTextAndEmptyFormat) {
    EXPECT_EQ(F(""), "");
    EXPECT_EQ(F("hello, world\n"), "hello, world\n");
}

TEST(Format, EmptyFormatNeverCallsTheSink) {
    EXPECT_TRUE(run("").pieces.empty());
    Capture c;
    EXPECT_EQ(kernel::format(capture_sink, &c, "%s", ""), 0u);
    EXPECT_EQ(c.text, "");
}

TEST(Format, FormatReturnsCharacterCount) {
    Capture c;
    size_t n = kernel::format(capture_sink, &c, "%s=%d (0x%x)", "answer", 42, 42u);
    EXPECT_EQ(c.text, "answer=42 (0x2a)");
    EXPECT_EQ(n, c.text.size());
}

TEST(Format, Strings) {
    EXPECT_EQ(F("[%s]", "abc"), "[abc]");
    EXPECT_EQ(F("[%s]", ""), "[]");
    EXPECT_EQ(F("[%s]", static_cast<const char*>(nullptr)), "[(null)]");
    EXPECT_EQ(F("[%6s]", "abc"), "[   abc]");
    EXPECT_EQ(F("[%-6s]", "abc"), "[abc   ]");
    EXPECT_EQ(F("[%2s]", "abcdef"), "[abcdef]");  // width is a minimum, never truncates
    EXPECT_EQ(F("[%06s]", "abc"), "[   abc]");   // '0' does not apply to strings
}

TEST(Format, Characters) {
    EXPECT_EQ(F("%c%c%c", 'x', 'y', 'z'), "xyz");
    EXPECT_EQ(F("[%3c]", 'a'), "[  a]");
    EXPECT_EQ(F("[%-3c]", 'a'), "[a  ]");
    EXPECT_EQ(F("[%03c]", 'a'), "[  a]");
    std::string nul = F("%c", 0);
    ASSERT_EQ(nul.size(), 1u);
    EXPECT_EQ(nul[0], '\0');
}

TEST(Format, SignedDecimal) {
    EXPECT_EQ(F("%d", 0), "0");
    EXPECT_EQ(F("%d", 7), "7");
    EXPECT_EQ(F("%i", 123456), "123456");
    EXPECT_EQ(F("%d", -1), "-1");
    EXPECT_EQ(F("%i", -987), "-987");
    EXPECT_EQ(F("%d", INT_MAX), "2147483647");
    EXPECT_EQ(F("%d", INT_MIN), "-2147483648");
}

TEST(Format, SignedDecimalWithLengthModifiers) {
    EXPECT_EQ(F("%ld", -5L), "-5");
    EXPECT_EQ(F("%ld", INT64_MAX), "9223372036854775807");
    EXPECT_EQ(F("%ld", INT64_MIN), "-9223372036854775808");
    EXPECT_EQ(F("%lld", static_cast<long long>(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(F("%lli", -1LL), "-1");
    EXPECT_EQ(F("%zd", static_cast<ptrdiff_t>(-4096)), "-4096");
    // A 64-bit value through %ld keeps its upper half.
    EXPECT_EQ(F("%ld", 0x100000000L), "4294967296");
}

TEST(Format, IntWithoutModifierIsReadAsInt) {
    // The next argument must still line up after a plain %d.
    EXPECT_EQ(F("%d %d %ld", -1, 2, -3L), "-1 2 -3");
}

TEST(Format, Unsigned) {
    EXPECT_EQ(F("%u", 0u), "0");
    EXPECT_EQ(F("%u", 4000000000u), "4000000000");
    EXPECT_EQ(F("%u", UINT_MAX), "4294967295");
    EXPECT_EQ(F("%lu", UINT64_MAX), "18446744073709551615");
    EXPECT_EQ(F("%llu", 1ULL << 63), "9223372036854775808");
    EXPECT_EQ(F("%zu", static_cast<size_t>(12345)), "12345");
    EXPECT_EQ(F("%u", -1), "4294967295");  // the int's bits, read as unsigned
}

TEST(Format, Hexadecimal) {
    EXPECT_EQ(F("%x", 0u), "0");
    EXPECT_EQ(F("%x", 0xdeadbeefu), "deadbeef");
    EXPECT_EQ(F("%X", 0xdeadbeefu), "DEADBEEF");
    EXPECT_EQ(F("%x", 255u), "ff");
    EXPECT_EQ(F("%lx", UINT64_MAX), "ffffffffffffffff");
    EXPECT_EQ(F("%lX", 0xabcdef0123456789UL), "ABCDEF0123456789");
    EXPECT_EQ(F("%llx", 0x1000000000ULL), "1000000000");
    EXPECT_EQ(F("%zx", static_cast<size_t>(0x1000)), "1000");
}

TEST(Format, WidthSpacePaddingRightAligned) {
    EXPECT_EQ(F("[%5d]", 42), "[   42]");
    EXPECT_EQ(F("[%5d]", -42), "[  -42]");
    EXPECT_EQ(F("[%5u]", 42u), "[   42]");
    EXPECT_EQ(F("[%5x]", 0xabu), "[   ab]");
    EXPECT_EQ(F("[%2d]", 12345), "[12345]");
    EXPECT_EQ(F("[%3d]", -123), "[-123]");
    EXPECT_EQ(F("[%12ld]", -5000000000L), "[ -5000000000]");
}

TEST(Format, ZeroPaddingKeepsTheSignInFront) {
    EXPECT_EQ(F("[%05d]", 42), "[00042]");
    EXPECT_EQ(F("[%05d]", -42), "[-0042]");
    EXPECT_EQ(F("[%06i]", -1), "[-00001]");
    EXPECT_EQ(F("[%02d]", -7), "[-7]");
    EXPECT_EQ(F("[%08x]", 0xbeefu), "[0000beef]");
    EXPECT_EQ(F("[%08X]", 0xbeefu), "[0000BEEF]");
    EXPECT_EQ(F("[%016lx]", 0x1234UL), "[0000000000001234]");
    EXPECT_EQ(F("[%03u]", 0u), "[000]");
    EXPECT_EQ(F("[%021ld]", INT64_MIN), "[-09223372036854775808]");
    EXPECT_EQ(F("[%020ld]", INT64_MIN), "[-9223372036854775808]");  // exactly fits
}

TEST(Format, LeftAlignment) {
    EXPECT_EQ(F("[%-5d]", 42), "[42   ]");
    EXPECT_EQ(F("[%-5d]", -42), "[-42  ]");
    EXPECT_EQ(F("[%-6x]", 0xabu), "[ab    ]");
    EXPECT_EQ(F("[%-2u]", 12345u), "[12345]");
    // '-' wins over '0', as in C: pad with spaces on the right.
    EXPECT_EQ(F("[%-05d]", 42), "[42   ]");
    EXPECT_EQ(F("[%0-5d]", -42), "[-42  ]");
}

TEST(Format, Pointers) {
    EXPECT_EQ(F("%p", static_cast<void*>(nullptr)), "0x0000000000000000");
    EXPECT_EQ(F("%p", reinterpret_cast<void*>(0x1234)), "0x0000000000001234");
    EXPECT_EQ(F("%p", reinterpret_cast<void*>(0xffffffff80001000UL)), "0xffffffff80001000");
    EXPECT_EQ(F("%p", reinterpret_cast<void*>(UINTPTR_MAX)), "0xffffffffffffffff");
}

TEST(Format, PointerWidthAndPadding) {
    void* p = reinterpret_cast<void*>(0xabc);
    EXPECT_EQ(F("[%20p]", p), "[  0x0000000000000abc]");
    EXPECT_EQ(F("[%-20p]", p), "[0x0000000000000abc  ]");
    // Zero padding goes between "0x" and the digits.
    EXPECT_EQ(F("[%020p]", p), "[0x000000000000000abc]");
    EXPECT_EQ(F("[%5p]", p), "[0x0000000000000abc]");  // already wider than 5
}

TEST(Format, PercentLiteral) {
    EXPECT_EQ(F("%%"), "%");
    EXPECT_EQ(F("100%%"), "100%");
    EXPECT_EQ(F("%d%%", 50), "50%");
    EXPECT_EQ(F("%%d"), "%d");
    EXPECT_EQ(F("%%%%"), "%%");
}

TEST(Format, UnknownConversionIsPrintedLiterally) {
    EXPECT_EQ(F("%q"), "%q");
    EXPECT_EQ(F("a%qb"), "a%qb");
    EXPECT_EQ(F("%5q"), "%5q");
    EXPECT_EQ(F("%-08q"), "%-08q");
    EXPECT_EQ(F("%lq"), "%lq");
    EXPECT_EQ(F("%o"), "%o");  // octal is not in the subset
}

TEST(Format, UnknownConversionConsumesNoArgument) {
    EXPECT_EQ(F("%q %d %s", 7, "x"), "%q 7 x");
    EXPECT_EQ(F("%f|%u", 9u), "%f|9");
}

TEST(Format, UnsupportedHalfLengthModifierIsLiteral) {
    // 'h' is not a known modifier: "%h" is shown, then "d" is ordinary text.
    EXPECT_EQ(F("%hd", 3), "%hd");
}

TEST(Format, TrailingLonePercent) {
    EXPECT_EQ(F("%"), "%");
    EXPECT_EQ(F("abc%"), "abc%");
    EXPECT_EQ(F("50%%%"), "50%%");
}

TEST(Format, TruncatedConversionAtEndOfFormat) {
    EXPECT_EQ(F("x%5"), "x%5");
    EXPECT_EQ(F("x%-"), "x%-");
    EXPECT_EQ(F("x%05"), "x%05");
    EXPECT_EQ(F("x%l"), "x%l");
    EXPECT_EQ(F("x%ll"), "x%ll");
    EXPECT_EQ(F("x%z"), "x%z");
}

TEST(Format, MixedConversions) {
    EXPECT_EQ(F("%s: %d/%u 0x%08lx %c%%", "cpu", -3, 7u, 0xfeedUL, '!'), "cpu: -3/7 0x0000feed !%");
}

// --- snformat -------------------------------------------------------------------------------

TEST(Snformat, FitsWithTerminator) {
    char buf[32];
    size_t n = kernel::snformat(buf, sizeof buf, "%s-%d", "abc", 12);
    EXPECT_EQ(n, 6u);
    EXPECT_STREQ(buf, "abc-12");
}

TEST(Snformat, ExactFitAndOneShort) {
    char buf[8];
    EXPECT_EQ(kernel::snformat(buf, 8, "%s", "1234567"), 7u);  // 7 chars + NUL == 8
    EXPECT_STREQ(buf, "1234567");
    EXPECT_EQ(kernel::snformat(buf, 7, "%s", "1234567"), 7u);  // one short: last char dropped
    EXPECT_STREQ(buf, "123456");
}

TEST(Snformat, TruncatesAndReturnsTheNeededLength) {
    char buf[16];
    memset(buf, 'X', sizeof buf);
    size_t n = kernel::snformat(buf, 5, "hello %s", "world");
    EXPECT_EQ(n, 11u);
    EXPECT_STREQ(buf, "hell");
    for (size_t i = 5; i < sizeof buf; ++i) EXPECT_EQ(buf[i], 'X') << "byte " << i << " written past size";
}

TEST(Snformat, TruncatesInsidePaddedNumber) {
    char buf[6];
    size_t n = kernel::snformat(buf, sizeof buf, "%08x", 0xabcu);
    EXPECT_EQ(n, 8u);
    EXPECT_STREQ(buf, "00000");
}

TEST(Snformat, SizeOneGivesEmptyString) {
    char buf[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(kernel::snformat(buf, 1, "%d", 12345), 5u);
    EXPECT_EQ(buf[0], '\0');
    EXPECT_EQ(buf[1], 'X');
}

TEST(Snformat, SizeZeroWritesNothing) {
    char buf[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(kernel::snformat(buf, 0, "abc%d", 1), 4u);
    for (char c : buf) EXPECT_EQ(c, 'X');
    EXPECT_EQ(kernel::snformat(nullptr, 0, "%s", "measure me"), 10u);
}

TEST(Snformat, EmptyResult) {
    char buf[4] = {'X', 'X', 'X', 'X'};
    EXPECT_EQ(kernel::snformat(buf, sizeof buf, "%s", ""), 0u);
    EXPECT_EQ(buf[0], '\0');
}

TEST(Snformat, EveryBufferSizeGivesAPrefix) {
    const std::string full = "val=-0042 p=0x00000000000000ff";
    for (size_t size = 1; size <= full.size() + 3; ++size) {
        std::vector<char> buf(size + 4, 'X');
        size_t n = kernel::snformat(buf.data(), size, "val=%05d p=%p", -42, reinterpret_cast<void*>(0xff));
        EXPECT_EQ(n, full.size());
        size_t expect_len = size - 1 < full.size() ? size - 1 : full.size();
        EXPECT_EQ(std::string(buf.data()), full.substr(0, expect_len)) << "size " << size;
        for (size_t i = size; i < buf.size(); ++i) EXPECT_EQ(buf[i], 'X') << "size " << size << " byte " << i;
    }
}

}  // namespace
