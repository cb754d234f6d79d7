// A minimal line discipline: what a terminal user expects from a Unix program reading its
// console, the way Linux's canonical mode (drivers/tty/n_tty.c with ICANON, ECHO, ICRNL,
// ISIG) and the Mini-OS-based systems of 2016 behaved.  Xen's console passes input raw: no
// echo, no editing, CR for Enter, ^C, ^D and DEL as themselves, so all of it is done here.
//
//   CR or LF         ends the line (Enter in a terminal sends CR; ICRNL makes it '\n')
//   BS or DEL        erases the last character of the line being edited; the echo shows it
//   ^D               at the start of a line: end of file (read returns 0, Go sees io.EOF);
//                    in the middle of a line: hands the line over without a newline
//   ^C               ends the program (SIGINT's default action); the caller decides how
//   other bytes      go into the line; control characters are echoed as ^X
//
// A line longer than kLineMax - 1 bytes is not truncated: the first kLineMax - 1 bytes are
// handed to the reader as they are (without a newline) and editing goes on in a new line.
// Linux's N_TTY instead drops what does not fit in its 4095-byte line and only beeps; losing
// input silently is the one thing a kernel for students must not do.
//
// Kept free of Xen and of the scheduler so that the host tests can drive it key by key.
// Book: chapter 07-console-read (book/stages/07-console-read.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::tty {

class LineDiscipline {
public:
    static constexpr size_t kLineMax = 4096;     // as Linux's N_TTY_BUF_SIZE
    static constexpr size_t kCookedMax = 16384;  // finished lines waiting for read()

    enum class Event : uint8_t { None, LineDone, EndOfFile, Interrupt };

    // What to echo for one key: at most 3 bytes ("\b \b", "^C", "\n").
    struct Echo {
        char bytes[3];
        uint8_t length;
    };

    // Feeds one typed byte.  Call only when can_take() says so.
    Event feed(char c, Echo& echo);

    // True when one more byte cannot overflow the finished-lines buffer, whatever it is (a
    // line end hands the whole line being edited over).  The console leaves input in Xen's
    // ring until it is true again: input waits, it is never dropped.
    bool can_take() const { return room() > 0; }

    // How many bytes can be fed one after another, whatever they are: each one grows the line
    // being edited plus the finished lines by at most one byte.
    size_t room() const { return kCookedMax - cooked_used() - line_len_; }

    // True when read() has something to return: a finished line or an end of file.
    bool readable() const { return cooked_used() > 0 || (eof_count_ > 0 && eof_at_[0] == read_total_); }

    // Copies up to n bytes of finished input, at most one line (as a canonical-mode read does),
    // and returns how many; 0 with an end of file pending consumes it (and is end of file).
    // Returns 0 too when nothing is readable: check readable() first.
    size_t read(char* out, size_t n);

    size_t line_length() const { return line_len_; }

private:
    size_t cooked_used() const { return static_cast<size_t>(written_total_ - read_total_); }
    void push(const char* data, size_t n);
    void finish_line(bool newline);

    char line_[kLineMax] = {};
    size_t line_len_ = 0;
    char cooked_[kCookedMax] = {};
    uint64_t written_total_ = 0;  // bytes ever pushed into cooked_ (free-running, like a ring index)
    uint64_t read_total_ = 0;     // bytes ever read out of it
    // Ends of file in the stream, by position: ^D at the start of a line after two lines typed
    // ahead must end the file only after those lines have been read.
    static constexpr size_t kMaxEofs = 8;
    uint64_t eof_at_[kMaxEofs] = {};
    size_t eof_count_ = 0;
};

}  // namespace kernel::tty
