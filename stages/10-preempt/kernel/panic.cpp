// Book: chapter 01-link (book/stages/01-link.md).
#include "panic.hpp"

#include <stdarg.h>

#include "console.hpp"
#include "hypercall.hpp"
#include "ksyms.hpp"

namespace kernel {

void print_code_address(uint64_t address) {
    auto match = ksyms::lookup(ksyms::kernel_table(), address);
    if (match.name != nullptr) console::printf("vaddr 0x%lx = %s+0x%lx", address, match.name, match.offset);
    else console::printf("vaddr 0x%lx (no symbol)", address);
}

void crash_domain() {
    console::printf("*** stopping the domain: SHUTDOWN_crash\n");
    console::flush();
    hv::shutdown(SHUTDOWN_crash);
}

void poweroff_domain() {
    console::printf("*** powering off: SHUTDOWN_poweroff\n");
    console::flush();
    hv::shutdown(SHUTDOWN_poweroff);
}

void panic(const char* fmt, ...) {
    static bool in_panic = false;
    if (in_panic) crash_domain();  // a panic while panicking: just stop
    in_panic = true;
    console::printf("\n*** KERNEL PANIC: ");
    va_list args;
    va_start(args, fmt);
    console::vprintf(fmt, args);
    va_end(args);
    console::printf("\n");
    crash_domain();
}

}  // namespace kernel
