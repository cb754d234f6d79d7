// The C++ side of arch/syscall_entry.S, and the same path for the C library's wrappers.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "../cmdline.hpp"
#include "../console.hpp"
#include "errno.hpp"
#include "log.hpp"
#include "table.hpp"

namespace kernel::syscalls {
namespace {

void console_sink(void*, const char* text, size_t length) { console::write(text, length); }

// constinit: the kernel runs no C++ constructors (.init_array belongs to the Go runtime).
constinit Log g_log(console_sink, nullptr);
const char* g_note = nullptr;

}  // namespace

void flush_log() { g_log.flush(); }

void set_note(const char* note) { g_note = note; }

void set_log_level(Log::Level level) { g_log.set_level(level); }

void configure(const char* cmdline) {
    console::set_before_write(flush_log);
    console::printf("system calls: unigornel_syscall -> table -> log; calls without a handler return -ENOSYS\n");
    char strace[8];
    if (!cmdline::get(cmdline, "strace", strace, sizeof strace)) return;
    if (strace[0] == 'a') {
        set_log_level(Log::Level::All);
        console::printf("system calls: strace=all: every call is logged, also futex, clocks and sleeps\n");
    } else if (strace[0] == 'n') {
        set_log_level(Log::Level::Unimplemented);
        console::printf("system calls: strace=none: only calls without a handler are logged\n");
    }
}

long invoke(const Args& call, const char* via) {
    // lab 02-rt0 begin: syscalls::invoke
    Handler h = handler(call.nr);
    g_note = nullptr;
    long result = h ? h(call) : -kENOSYS;
    g_log.record(call, result, via, h != nullptr, g_note);
    return result;
    // lab 02-rt0 end
}

long invoke(const char* via, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
            uint64_t a5) {
    return invoke(Args{nr, {a0, a1, a2, a3, a4, a5}}, via);
}

}  // namespace kernel::syscalls

// Called by unigornel_syscall on the thread's system-call stack.
extern "C" long syscall_dispatch(const kernel::syscalls::Args* call) {
    return kernel::syscalls::invoke(*call, nullptr);
}
