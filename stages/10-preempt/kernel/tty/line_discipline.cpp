// Book: chapter 07-console-read (book/stages/07-console-read.md).
#include "line_discipline.hpp"

namespace kernel::tty {
namespace {

constexpr char kCtrlC = 0x03, kCtrlD = 0x04, kBackspace = 0x08, kDelete = 0x7f;

void set(LineDiscipline::Echo& e, const char* s, uint8_t n) {
    for (uint8_t i = 0; i < n; ++i) e.bytes[i] = s[i];
    e.length = n;
}

}  // namespace

void LineDiscipline::push(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i) cooked_[(written_total_ + i) % kCookedMax] = data[i];
    written_total_ += n;
}

void LineDiscipline::finish_line(bool newline) {
    push(line_, line_len_);
    if (newline) push("\n", 1);
    line_len_ = 0;
}

LineDiscipline::Event LineDiscipline::feed(char c, Echo& echo) {
    // lab 07-console-read begin: LineDiscipline::feed
    echo.length = 0;
    switch (c) {
        case '\r':
        case '\n':
            finish_line(true);
            set(echo, "\n", 1);
            return Event::LineDone;
        case kBackspace:
        case kDelete:
            if (line_len_ > 0) {
                --line_len_;
                set(echo, "\b \b", 3);  // back, blank the character, back again
            }
            return Event::None;
        case kCtrlD:
            if (line_len_ > 0) {  // hands the partial line over, as Linux does
                finish_line(false);
                return Event::LineDone;
            }
            if (eof_count_ < kMaxEofs) eof_at_[eof_count_++] = written_total_;
            return Event::EndOfFile;
        case kCtrlC:
            line_len_ = 0;
            set(echo, "^C", 2);
            return Event::Interrupt;
        default:
            break;
    }
    if (line_len_ == kLineMax - 1) finish_line(false);  // full: hand it over, lose nothing
    line_[line_len_++] = c;
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
        char ctl[2] = {'^', static_cast<char>(c + '@')};
        set(echo, ctl, 2);
    } else {
        set(echo, &c, 1);
    }
    return Event::None;
    // lab 07-console-read end
}

size_t LineDiscipline::read(char* out, size_t n) {
    // lab 07-console-read begin: LineDiscipline::read
    // Up to the next end of file, if one is queued.
    uint64_t limit = written_total_;
    if (eof_count_ > 0) {
        if (eof_at_[0] == read_total_) {
            for (size_t i = 1; i < eof_count_; ++i) eof_at_[i - 1] = eof_at_[i];
            --eof_count_;
            return 0;
        }
        limit = eof_at_[0];
    }
    size_t copied = 0;
    while (copied < n && read_total_ < limit) {
        char c = cooked_[read_total_ % kCookedMax];
        out[copied++] = c;
        ++read_total_;
        if (c == '\n') break;  // one line per read, as in canonical mode
    }
    return copied;
    // lab 07-console-read end
}

}  // namespace kernel::tty
