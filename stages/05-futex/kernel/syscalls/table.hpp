// The kernel's Linux personality: system-call number -> handler.
//
// A call without a handler is logged by name with its arguments and fails with -ENOSYS, so the
// console shows exactly what the runtime asked for and the next stage still has to provide.
#pragma once

#include "args.hpp"
#include "log.hpp"

namespace kernel::syscalls {

using Handler = long (*)(const Args&);

// The handler this stage has for nr, or nullptr.
Handler handler(uint64_t nr);

// Runs one call through the table and the log.  `via` names the C library function that made
// it on the runtime's behalf (nullptr: Go's own route through unigornel_syscall).
long invoke(const Args& call, const char* via);

// For the C library: invoke({nr, a0..a5}, via) and the Linux convention for its result.
long invoke(const char* via, uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
            uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0);

// A handler's remark on the call it is handling, shown at the end of its log line
// ("... = 0xc000000000 (reserved)").  Cleared before each call.
void set_note(const char* note);

// Command line "strace=all": log every call, also the ones info.cpp marks quiet;
// "strace=none": log only the calls that have no handler.
void set_log_level(Log::Level level);

// Prints the log's pending summary line (the console calls this before every write).
void flush_log();

// Handlers, one file per area (process.cpp, ...).
long sys_exit(const Args&);
long sys_exit_group(const Args&);
long sys_mmap(const Args&);
long sys_munmap(const Args&);
long sys_madvise(const Args&);
long sys_futex(const Args&);
long sys_clock_gettime(const Args&);
long sys_gettimeofday(const Args&);
long sys_nanosleep(const Args&);
long sys_sched_yield(const Args&);
long sys_gettid(const Args&);
long sys_getpid(const Args&);
long sys_sched_getaffinity(const Args&);
long sys_rt_sigaction(const Args&);
long sys_rt_sigprocmask(const Args&);
long sys_sigaltstack(const Args&);

}  // namespace kernel::syscalls
