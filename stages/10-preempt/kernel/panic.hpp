// Stopping the domain when something went wrong, with a report a student can act on.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stdint.h>

namespace kernel {

// Prints "*** KERNEL PANIC: <what>" and the formatted explanation, then crashes the domain
// (SCHEDOP_shutdown with SHUTDOWN_crash, which xl reports as "reason code 3").
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// The last words of every crash: flush the console, then SHUTDOWN_crash.
[[noreturn]] void crash_domain();

// The last words of a clean exit: flush the console, then SHUTDOWN_poweroff.
[[noreturn]] void poweroff_domain();

// Prints "vaddr 0x... = symbol+0xoff" for a code address (no newline).
void print_code_address(uint64_t address);

}  // namespace kernel
