// The kernel's Linux personality: one table of every system call the kernel knows (number, name,
// how the log prints its arguments, how it is logged, its handler), and the handlers.
//
// A call without a handler is logged by name with its arguments and fails with -ENOSYS, so the
// console shows exactly what the runtime asked for and this kernel does not provide.
// Adding a call is one row of table.cpp (and its handler, in the file of its area).
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stdint.h>

#include "args.hpp"
#include "log.hpp"

namespace kernel::syscalls {

using Handler = long (*)(const Args&);

// How the log treats a call (the `log` column of table.cpp).
enum LogFlags : uint8_t {
    kLogged = 0,  // one line per call
    kBatch = 1,   // consecutive calls with the same result are summarised in one line
    kQuiet = 2,   // once implemented, not logged (they come by the thousand: futex, clocks, ...)
};

// One row of the table.  Argument kinds, one letter each in `args`:
//   d C int (low 32 bits, signed)   u unsigned decimal   x hex   a address (hex, kept exact: 0xc000000000)
//   p pointer (printed "vaddr 0x...", which transcripts normalise: it moves with the image)
//   s NUL-terminated string   b buffer whose length is the next argument   S signal number
//   L length (hex and KiB/MiB)   P mmap protection   F mmap flags   M madvise advice
struct Info {
    uint16_t nr;
    const char* name;
    const char* args;
    uint8_t log;      // LogFlags
    Handler handler;  // nullptr: logged and answered with -ENOSYS

    constexpr bool batch() const { return log & kBatch; }
    constexpr bool quiet() const { return log & kQuiet; }
};

// The row for nr; nullptr for a number not in the table.
const Info* info(uint64_t nr);
// The whole table, sorted by number (for tests and listings).
const Info* table_begin();
const Info* table_end();

// The handler this stage has for nr, or nullptr.
Handler handler(uint64_t nr);

// Reads the command line's "strace=" (all: log every call, also the quiet ones; none: log only
// the calls that have no handler), hooks the log into the console and says how calls are routed.
void configure(const char* cmdline);

// Runs one call through the table and the log.  `via` names the C library function that made
// it on the runtime's behalf (nullptr: Go's own route through unigornel_syscall).
long invoke(const Args& call, const char* via);

// For the C library: invoke({nr, a0..a5}, via) and the Linux convention for its result.
long invoke(const char* via, uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
            uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0);

// A handler's remark on the call it is handling, shown at the end of its log line
// ("... = 0xc000000000 (reserved)").  Cleared before each call.
void set_note(const char* note);

// Which calls the log shows (configure() sets it from "strace=").
void set_log_level(Log::Level level);

// Prints the log's pending summary line (the console calls this before every write).
void flush_log();

// Handlers, one file per area (process.cpp, ...).
long sys_exit(const Args&);
long sys_exit_group(const Args&);

}  // namespace kernel::syscalls
