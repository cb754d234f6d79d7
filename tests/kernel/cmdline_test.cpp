// kernel::cmdline::get: key=value words of start_info.cmd_line.
#include "cmdline.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>

namespace {

// The value of key in line, or nullopt when get() says the key is absent.
std::optional<std::string> Get(const char* line, const char* key, size_t out_size = 64) {
    char out[256];
    memset(out, 'X', sizeof out);
    if (!kernel::cmdline::get(line, key, out, out_size)) return std::nullopt;
    EXPECT_NE(memchr(out, '\0', out_size), nullptr) << "value not NUL-terminated within out_size";
    return std::string(out);
}

constexpr const char* kLine = "console=hvc0 selftest=ring loglevel=7";

TEST(Cmdline, FirstMiddleAndLastWord) {
    EXPECT_EQ(Get(kLine, "console"), "hvc0");
    EXPECT_EQ(Get(kLine, "selftest"), "ring");
    EXPECT_EQ(Get(kLine, "loglevel"), "7");
}

TEST(Cmdline, MissingKey) {
    EXPECT_EQ(Get(kLine, "debug"), std::nullopt);
    EXPECT_EQ(Get(kLine, "hvc0"), std::nullopt);  // a value is not a key
    EXPECT_EQ(Get(kLine, "ring"), std::nullopt);
}

TEST(Cmdline, EmptyLine) {
    EXPECT_EQ(Get("", "console"), std::nullopt);
    EXPECT_EQ(Get("    ", "console"), std::nullopt);
}

TEST(Cmdline, BareWordHasEmptyValue) {
    EXPECT_EQ(Get("debug", "debug"), "");
    EXPECT_EQ(Get("a=1 debug b=2", "debug"), "");
    EXPECT_EQ(Get("a=1 debug", "debug"), "");
}

TEST(Cmdline, EmptyValueAfterEquals) {
    EXPECT_EQ(Get("root= quiet", "root"), "");
}

TEST(Cmdline, KeyMustBeTheWholeKeyNotAPrefix) {
    EXPECT_EQ(Get("selftest2=x", "selftest"), std::nullopt);
    EXPECT_EQ(Get("selftests", "selftest"), std::nullopt);
    EXPECT_EQ(Get("selftest2=x selftest=y", "selftest"), "y");
    EXPECT_EQ(Get("selftest2 selftest", "selftest"), "");
}

TEST(Cmdline, WordShorterThanKey) {
    EXPECT_EQ(Get("self=x", "selftest"), std::nullopt);
    EXPECT_EQ(Get("self", "selftest"), std::nullopt);
    EXPECT_EQ(Get("s", "selftest"), std::nullopt);
}

TEST(Cmdline, KeyInsideAValueDoesNotMatch) {
    EXPECT_EQ(Get("test=selftest", "selftest"), std::nullopt);
    EXPECT_EQ(Get("x=a=b", "a"), std::nullopt);
}

TEST(Cmdline, ValueMayContainEquals) {
    EXPECT_EQ(Get("opt=a=b=c", "opt"), "a=b=c");
}

TEST(Cmdline, FirstOccurrenceWins) {
    EXPECT_EQ(Get("level=1 level=2", "level"), "1");
}

TEST(Cmdline, ExtraSpacesAreIgnored) {
    EXPECT_EQ(Get("   a=1    b=2   ", "a"), "1");
    EXPECT_EQ(Get("   a=1    b=2   ", "b"), "2");
    EXPECT_EQ(Get("   a=1    b=2   ", "c"), std::nullopt);
}

TEST(Cmdline, ValueEndsAtTheSpace) {
    EXPECT_EQ(Get("name=hello world", "name"), "hello");
}

TEST(Cmdline, ValueIsTruncatedToTheBuffer) {
    EXPECT_EQ(Get("name=abcdefg", "name", 4), "abc");
    EXPECT_EQ(Get("name=abcdefg", "name", 8), "abcdefg");  // 7 chars + NUL: exact fit
    EXPECT_EQ(Get("name=abcdefg", "name", 7), "abcdef");
    EXPECT_EQ(Get("name=abcdefg other=z", "name", 1), "");
}

TEST(Cmdline, TruncationWritesNothingPastTheBuffer) {
    char out[8];
    memset(out, 'X', sizeof out);
    EXPECT_TRUE(kernel::cmdline::get("k=0123456789", "k", out, 4));
    EXPECT_STREQ(out, "012");
    for (size_t i = 4; i < sizeof out; ++i) EXPECT_EQ(out[i], 'X') << "byte " << i;
}

TEST(Cmdline, ZeroSizedBufferOnlyReportsPresence) {
    char out[2] = {'X', 'X'};
    EXPECT_TRUE(kernel::cmdline::get("k=v", "k", out, 0));
    EXPECT_EQ(out[0], 'X');
    EXPECT_FALSE(kernel::cmdline::get("k=v", "j", out, 0));
    EXPECT_TRUE(kernel::cmdline::get("k=v", "k", nullptr, 0));
}

}  // namespace
