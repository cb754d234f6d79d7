// Names the log prints: errno values and signal numbers.
#pragma once

#include <stdint.h>

namespace kernel::syscalls {

// "ENOSYS" for 38, ...; nullptr for an errno without a name here.
const char* errno_name(long err);
// "SIGSEGV" for 11, "SIGRT3" for 35, nullptr outside 1..64.
const char* signal_name(uint64_t sig);

}  // namespace kernel::syscalls
