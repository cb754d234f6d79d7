// kernel::panic for host tests: prints the message and aborts, so the test that reached it
// fails and says why.  No kernel component under test panics in the kit itself; a lab does
// (tools/make-lab.py replaces the milestone's code by a panic naming it), and with this its host
// tests still link and report "lab: FutexTable::add is yours to write" instead of a link error.
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

#include "panic.hpp"

namespace kernel {

void panic(const char* fmt, ...) {
    std::va_list args;
    va_start(args, fmt);
    std::fputs("*** KERNEL PANIC (in a host test): ", stderr);
    std::vfprintf(stderr, fmt, args);
    std::fputc('\n', stderr);
    va_end(args);
    std::abort();
}

}  // namespace kernel
