// Names the log prints: errno values and signal numbers.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stdint.h>

namespace kernel::syscalls {

// "ENOSYS" for 38, ...; nullptr for an errno without a name here.
const char* errno_name(long err);
// "SIGSEGV" for 11, "SIGRT3" for 35, nullptr outside 1..64.
const char* signal_name(uint64_t sig);

}  // namespace kernel::syscalls
