// The C++ side of arch/syscall_entry.S, and the same path for the C library's wrappers.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "../cmdline.hpp"
#include "../console.hpp"
#include "../preempt.hpp"
#include "errno.hpp"
#include "log.hpp"
#include "table.hpp"

namespace kernel::syscalls {
namespace {

void console_sink(void*, const char* text, size_t length) { console::write(text, length); }

// constinit: the kernel runs no C++ constructors (.init_array belongs to the Go runtime).
constinit Log g_log(console_sink, nullptr);
const char* g_note = nullptr;
Log::Level g_level = Log::Level::Default;

}  // namespace

void flush_log() { g_log.flush(); }

void set_note(const char* note) { g_note = note; }

void set_log_level(Log::Level level) {
    g_log.set_level(level);
    g_level = level;
}
bool logging_calls() { return g_level != Log::Level::Unimplemented; }

void configure(const char* cmdline) {
    console::set_before_write(flush_log);
    console::printf("system calls: unigornel_syscall -> table -> log; calls without a handler return -ENOSYS\n");
    // The log is off unless asked for: threads are switched when their time slices end, so
    // the calls of different threads interleave differently on every boot, and a transcript
    // cannot hold them.
    char strace[8];
    if (!cmdline::get(cmdline, "strace", strace, sizeof strace)) {
        set_log_level(Log::Level::Unimplemented);
        console::printf("system calls: only calls without a handler are logged (strace=some for the others but "
                        "futex, clocks and sleeps; strace=all for every call)\n");
        return;
    }
    if (strace[0] == 's') {
        console::printf("system calls: strace=some: every call is logged but futex, clocks and sleeps\n");
    } else if (strace[0] == 'a') {
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
// On the way out, the switch an upcall owes and the next time slice (preempt.cpp): the last
// kernel code before Go's runs again.
extern "C" long syscall_dispatch(const kernel::syscalls::Args* call) {
    long result = kernel::syscalls::invoke(*call, nullptr);
    kernel::preempt::on_return_to_go();
    return result;
}
