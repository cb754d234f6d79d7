// What the kernel knows about each Linux x86-64 system call it may meet: its name and how to
// print its arguments.  Knowing a call is not implementing it: see table.cpp for the handlers.
#pragma once

#include <stdint.h>

namespace kernel::syscalls {

// Argument kinds, one letter each in Info::args:
//   d C int (low 32 bits, signed)   u unsigned decimal   x hex   a address (hex, kept exact: 0xc000000000)
//   p pointer (printed "vaddr 0x...", which transcripts normalise: it moves with the image)
//   s NUL-terminated string   b buffer whose length is the next argument   S signal number
//   L length (hex and KiB/MiB)   P mmap protection   F mmap flags   M madvise advice
struct Info {
    uint16_t nr;
    const char* name;
    const char* args;
    bool batch;  // consecutive calls with the same result are summarised in one line
    bool quiet;  // once implemented, not logged (they come by the thousand: futex, clocks, ...)
};

// nullptr for a number not in the table.
const Info* info(uint64_t nr);

// "ENOSYS" for 38, ...; nullptr for an errno without a name here.
const char* errno_name(long err);
// "SIGSEGV" for 11, "SIGRT3" for 35, nullptr outside 1..64.
const char* signal_name(uint64_t sig);

}  // namespace kernel::syscalls
