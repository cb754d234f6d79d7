// Helpers shared by the kernel::syscalls::Log tests (syscall_log_test.cpp and
// syscall_log_mmap_test.cpp): building calls, formatting one, and a Log whose output is kept.
#pragma once

#include "syscalls/log.hpp"

#include <gtest/gtest.h>

#include <stdint.h>

#include <cstring>
#include <string>
#include <vector>

namespace syscall_log_test {

using kernel::syscalls::Args;
using kernel::syscalls::Log;

constexpr long ENOSYS_ = -38;

inline Args call(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
          uint64_t a5 = 0) {
    return Args{nr, {a0, a1, a2, a3, a4, a5}};
}

inline uint64_t ptr(const void* p) { return reinterpret_cast<uint64_t>(p); }

inline std::string formatted_call(const Args& c) {
    char buf[512];
    memset(buf, 'X', sizeof buf);
    size_t n = Log::format_call(buf, sizeof buf, c);
    EXPECT_EQ(n, strlen(buf)) << "return value of format_call";
    return buf;
}

// Later stages (05 on) leave implemented calls marked quiet out of the log unless asked to log
// everything; these tests are about how calls are shown, so they ask when the Log can.
template <typename L>
void log_everything(L& log) {
    if constexpr (requires { log.set_level(L::Level::All); }) log.set_level(L::Level::All);
}

// A Log whose output is collected; lines() splits it at '\n'.
struct Captured {
    std::string text;
    int pieces = 0;
    Log log{sink, this};

    Captured() { log_everything(log); }

    static void sink(void* ctx, const char* data, size_t length) {
        auto* self = static_cast<Captured*>(ctx);
        self->text.append(data, length);
        ++self->pieces;
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        size_t start = 0;
        for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
            out.push_back(text.substr(start, nl - start));
        EXPECT_EQ(start, text.size()) << "output does not end with a newline: " << text;
        return out;
    }
    // Go's route: no libc function in between.
    void record(const Args& c, long result, bool implemented = false) { log.record(c, result, nullptr, implemented); }
    void write(uint64_t fd, const char* s, long result = ENOSYS_) { record(call(1, fd, ptr(s), strlen(s)), result); }
};

using Lines = std::vector<std::string>;

}  // namespace syscall_log_test
