// The system-call log: one console line per call, "[syscall] write(2, "fatal error", 11) = -ENOSYS".
//
// It is how a student sees what the Go runtime asks of the kernel, so it prints names, decoded
// arguments and errno names.  Go prints a message in many small writes ("fatal error: ", the
// text, "\n"), so writes to fds 1 and 2 are shown a line of text at a time, with the number
// of calls that made it.  Calls marked kBatch in table.cpp (the runtime queries all 65
// signal handlers in a row) are summarised: the first is printed, the rest of a run with the
// same result becomes one "... N more" line when the run ends.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stddef.h>

#include "../format.hpp"
#include "args.hpp"

namespace kernel::syscalls {

class Log {
public:
    constexpr Log(Sink sink, void* context) : sink_(sink), context_(context) {}

    // Records a finished call.  `via` names the C library function that made the call on the
    // runtime's behalf ("libc sigaction"); nullptr for Go's own route.  `implemented` tells
    // whether a handler exists (-ENOSYS from a missing handler is marked as such).
    // `note` is the handler's remark, printed in parentheses (nullptr: none).
    void record(const Args& call, long result, const char* via, bool implemented, const char* note = nullptr);

    // Which calls are logged: every call, the default (calls table.cpp marks quiet are left
    // out once implemented), or only the calls that have no handler.
    enum class Level : uint8_t { All, Default, Unimplemented };
    void set_level(Level level) { level_ = level; }

    // Prints a pending "... N more" summary.  Call before anything else goes to the console.
    void flush();

    // The call alone, "rt_sigaction(SIGHUP, NULL, vaddr 0x1000, 8)", into buf (NUL-terminated).
    static size_t format_call(char* buf, size_t size, const Args& call);
    // " = 0", " = 0x7f00", " = -ENOSYS" ...
    static size_t format_result(char* buf, size_t size, uint64_t nr, long result);

private:
    void add_text(const Args& call, long result, bool implemented);
    void emit_text(size_t length);
    void flush_text();

    Sink sink_;
    void* context_;
    Level level_ = Level::Default;
    uint64_t batch_nr_ = ~uint64_t{0};
    long batch_result_ = 0;
    const char* batch_via_ = nullptr;
    unsigned batch_more_ = 0;

    // Text of writes to fd 1 or 2 not yet shown (no newline yet).
    char text_[160] = {};
    size_t text_len_ = 0;
    uint64_t text_fd_ = 0;
    long text_result_ = 0;
    bool text_implemented_ = false;
    unsigned text_calls_ = 0;
};

}  // namespace kernel::syscalls
