// Book: chapter 07-console-read (book/stages/07-console-read.md).
#include "tty.hpp"

#include "../console.hpp"
#include "../panic.hpp"
#include "../syscalls/errno.hpp"
#include "../syscalls/table.hpp"
#include "../scheduler.hpp"
#include "../time/timer.hpp"
#include "line_discipline.hpp"

namespace kernel::tty {
namespace {

// constinit: the kernel runs no C++ constructors; the line discipline is all zeros at start.
constinit LineDiscipline g_ld;
uint64_t g_changes = 0;
void (*g_on_input)() = nullptr;

// Ctrl-C: SIGINT's default action on Linux is to terminate the process ("Term" in signal(7)),
// not to dump core, so the domain powers off instead of crashing.  A Go c-archive leaves SIGINT
// to its host program (runtime/signal_unix.go, sigInstallGoHandler: only synchronous signals
// and SIGPIPE get Go's handler), and this kernel delivers no signals at all, so the
// default action is what the user gets, as from a C program.
[[noreturn]] void interrupt() {
    syscalls::flush_log();
    console::printf("\n[console] ^C: SIGINT's default action ends the program; the domain powers off\n");
    poweroff_domain();
}

}  // namespace

void init() {
    time::also_wake_on(console::port());
    sched::add_device_poll(poll);
    console::printf("console input: ring in[] + event channel %u, polled with the timer's; "
                    "line discipline: echo, erase, ^D, ^C\n", console::port());
}

void poll() {
    bool more = false;
    // As much as the line discipline has room for, a chunk at a time: what does not fit stays
    // in Xen's ring (and xenconsoled's buffer behind it) until the program has read some.  One
    // ring read (one notify) and one echo write per chunk, not per byte: a 64 KiB paste would
    // otherwise cost two hypercalls for every byte.
    constexpr size_t kChunk = 128;
    char typed[kChunk];
    char echoed[kChunk * sizeof(LineDiscipline::Echo::bytes)];
    while (size_t room = g_ld.room()) {
        size_t got = console::read_input(typed, room < kChunk ? room : kChunk);
        if (got == 0) break;
        size_t echo_len = 0;
        for (size_t i = 0; i < got; ++i) {
            LineDiscipline::Echo echo;
            LineDiscipline::Event ev = g_ld.feed(typed[i], echo);
            for (uint8_t k = 0; k < echo.length; ++k) echoed[echo_len++] = echo.bytes[k];
            if (ev == LineDiscipline::Event::Interrupt) {
                console::write(echoed, echo_len);  // "^C" before the line that says what it does
                interrupt();
            }
            if (ev == LineDiscipline::Event::LineDone || ev == LineDiscipline::Event::EndOfFile) more = true;
        }
        if (echo_len) console::write(echoed, echo_len);
    }
    if (more) {
        ++g_changes;
        if (g_on_input) g_on_input();
    }
}

void set_on_input(void (*hook)()) { g_on_input = hook; }

long read(char* out, size_t n) {
    if (n == 0) return 0;
    poll();
    if (!g_ld.readable()) return -syscalls::kEAGAIN;
    size_t got = g_ld.read(out, n);
    ++g_changes;
    poll();  // room again: take what waited in the ring
    return static_cast<long>(got);
}

bool readable() { return g_ld.readable(); }

uint64_t changes() { return g_changes; }

}  // namespace kernel::tty
