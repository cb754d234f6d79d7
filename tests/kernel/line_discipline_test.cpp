// kernel::tty::LineDiscipline: every editing key, line ends, end of file, ^C, long lines and
// flow control, driven key by key as a user (or the checker) types them.
#include "tty/line_discipline.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace {

using kernel::tty::LineDiscipline;
using Event = LineDiscipline::Event;

struct Typist {
    std::unique_ptr<LineDiscipline> ld = std::make_unique<LineDiscipline>();  // 20 KiB: not on the stack
    std::string echoed;
    Event last = Event::None;

    Typist& type(const std::string& keys) {
        for (char c : keys) {
            EXPECT_TRUE(ld->can_take());
            LineDiscipline::Echo e;
            last = ld->feed(c, e);
            echoed.append(e.bytes, e.length);
        }
        return *this;
    }
    // One read() of up to n bytes, as the kernel's sys_read does it.
    std::string read(size_t n = 4096) {
        std::string out(n, '\0');
        out.resize(ld->read(out.data(), n));
        return out;
    }
};

TEST(LineDiscipline, NothingIsReadableBeforeALineEnds) {
    Typist t;
    t.type("Gopher");
    EXPECT_FALSE(t.ld->readable());
    EXPECT_EQ(t.echoed, "Gopher");
    EXPECT_EQ(t.ld->line_length(), 6u);
}

TEST(LineDiscipline, CarriageReturnAndLineFeedBothEndALineAsNewline) {
    Typist t;
    t.type("one\rtwo\n");
    EXPECT_EQ(t.last, Event::LineDone);
    EXPECT_EQ(t.read(), "one\n");
    EXPECT_EQ(t.read(), "two\n");
    EXPECT_FALSE(t.ld->readable());
    EXPECT_EQ(t.echoed, "one\ntwo\n");
}

TEST(LineDiscipline, AReadReturnsAtMostOneLineAndMayTakeItInPieces) {
    Typist t;
    t.type("abcdef\rxyz\r");
    EXPECT_EQ(t.read(4), "abcd");
    EXPECT_EQ(t.read(4), "ef\n");
    EXPECT_EQ(t.read(), "xyz\n");
}

TEST(LineDiscipline, DeleteAndBackspaceEraseTheLastCharacterAndEchoIt) {
    Typist t;
    t.type("Gophre").type("\x7f").type("\b").type("er\r");
    EXPECT_EQ(t.read(), "Gopher\n");
    EXPECT_EQ(t.echoed, "Gophre\b \b\b \ber\n");
}

TEST(LineDiscipline, EraseAtTheStartOfALineDoesNothingAndEchoesNothing) {
    Typist t;
    t.type("\x7f\x7f\bhi\r");
    EXPECT_EQ(t.read(), "hi\n");
    EXPECT_EQ(t.echoed, "hi\n");
}

TEST(LineDiscipline, EraseNeverReachesIntoALineAlreadyHandedOver) {
    Typist t;
    t.type("ab\r\x7f\x7f" "c\r");
    EXPECT_EQ(t.read(), "ab\n");
    EXPECT_EQ(t.read(), "c\n");
}

TEST(LineDiscipline, CtrlDAtTheStartOfALineIsEndOfFileOnce) {
    Typist t;
    t.type("\x04");
    EXPECT_EQ(t.last, Event::EndOfFile);
    EXPECT_TRUE(t.ld->readable());
    EXPECT_EQ(t.read(), "");            // read() returns 0: end of file
    EXPECT_FALSE(t.ld->readable());     // consumed: the next read waits again
    EXPECT_EQ(t.echoed, "");
}

TEST(LineDiscipline, EndOfFileComesAfterTheLinesTypedBeforeIt) {
    Typist t;
    t.type("one\rtwo\r\x04" "three\r");
    EXPECT_EQ(t.read(), "one\n");
    EXPECT_EQ(t.read(), "two\n");
    EXPECT_EQ(t.read(), "");  // the end of file, in its place
    EXPECT_EQ(t.read(), "three\n");
}

TEST(LineDiscipline, CtrlDInTheMiddleOfALineHandsItOverWithoutNewline) {
    Typist t;
    t.type("abc\x04");
    EXPECT_EQ(t.last, Event::LineDone);
    EXPECT_EQ(t.read(), "abc");
    EXPECT_FALSE(t.ld->readable());
}

TEST(LineDiscipline, CtrlCDiscardsTheLineAndIsReportedAsAnInterrupt) {
    Typist t;
    t.type("Gop");
    LineDiscipline::Echo e;
    EXPECT_EQ(t.ld->feed('\x03', e), Event::Interrupt);
    EXPECT_EQ(std::string(e.bytes, e.length), "^C");
    EXPECT_EQ(t.ld->line_length(), 0u);
    EXPECT_FALSE(t.ld->readable());
}

TEST(LineDiscipline, OtherControlCharactersAreKeptAndEchoedAsCaret) {
    Typist t;
    t.type("a\x01\tb\r");
    EXPECT_EQ(t.read(), "a\x01\tb\n");
    EXPECT_EQ(t.echoed, "a^A\tb\n");
}

// A line longer than the line buffer is handed over in full pieces, never truncated.
TEST(LineDiscipline, ALineLongerThanTheBufferArrivesWholeInPieces) {
    Typist t;
    std::string line(LineDiscipline::kLineMax * 2 + 100, 'x');
    for (size_t i = 0; i < line.size(); ++i) line[i] = static_cast<char>('a' + i % 26);
    t.type(line + "\r");
    std::string got;
    while (t.ld->readable()) got += t.read();
    EXPECT_EQ(got, line + "\n");
}

// Flow control: when finished lines fill the buffer, can_take() turns false before a single
// byte could be lost, and turns true again once the program reads.
TEST(LineDiscipline, FullBufferRefusesInputUntilTheReaderTakesSome) {
    Typist t;
    std::string sent, got;
    size_t lines = 0;
    const std::string row = "line of fifty-one bytes, the newline included ......";
    ASSERT_EQ(row.size() + 1, 53u);
    while (t.ld->can_take()) {
        LineDiscipline::Echo e;
        char c = (sent.size() % 53 == 52) ? '\r' : row[sent.size() % 53];
        t.ld->feed(c, e);
        sent += c == '\r' ? '\n' : c;
        if (c == '\r') ++lines;
    }
    EXPECT_GT(lines, LineDiscipline::kCookedMax / 53 - 2);
    while (t.ld->readable()) got += t.read();
    EXPECT_TRUE(t.ld->can_take());
    EXPECT_EQ(got, sent.substr(0, got.size()));
    EXPECT_EQ(got.size() + t.ld->line_length(), sent.size());  // nothing lost
}

// room() is what the console feeds in one chunk without checking between bytes: any mix of
// keys that long must fit, the worst being line ends that hand whole lines over, and a line
// longer than the line buffer.
TEST(LineDiscipline, RoomBytesOfAnyKindFitWithoutLoss) {
    for (const char* pattern : {"ab\r", "\r", "x"}) {
        Typist t;
        t.type("partial line");
        size_t n = t.ld->room();
        ASSERT_GT(n, 0u);
        std::string keys;
        for (size_t i = 0; keys.size() < n; ++i) keys += pattern[i % std::strlen(pattern)];
        t.type(keys);  // Typist checks can_take() before every byte
        std::string got;
        while (t.ld->readable()) got += t.read();
        t.type("\r");
        while (t.ld->readable()) got += t.read();
        std::string expected = "partial line" + keys + "\n";
        for (char& c : expected)
            if (c == '\r') c = '\n';
        EXPECT_EQ(got, expected) << "pattern " << pattern;
    }
}

TEST(LineDiscipline, WrapsAroundTheFinishedLinesBufferManyTimes) {
    Typist t;
    std::string all;
    for (int i = 0; i < 2000; ++i) {
        std::string line = "row " + std::to_string(i);
        t.type(line + "\r");
        all += line + "\n";
        EXPECT_EQ(t.read(), line + "\n");
    }
    EXPECT_FALSE(t.ld->readable());
}

}  // namespace
